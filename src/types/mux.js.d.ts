/**
 * The part of mux.js (videojs/mux.js, no published types) that src/export/mpeg-ts-pes.ts uses:
 * its MPEG-TS streams, which take 188-byte transport packets to PES packets.
 */
declare module 'mux.js' {
  /** mux.js's event stream: `pipe` connects `data` events to the next stream's `push`. */
  interface MuxStream<In, Out> {
    push(data: In): void;
    flush(): void;
    pipe<Next>(next: MuxStream<Out, Next>): MuxStream<Out, Next>;
    on(event: 'data', listener: (data: Out) => void): void;
    off(event: 'data', listener: (data: Out) => void): boolean;
  }
  /** One transport packet, parsed: its PID and payload. */
  interface TransportParsed {
    pid: number;
    type: 'pat' | 'pmt' | 'pes';
    payloadUnitStartIndicator: boolean;
    /** For `pes`: 0x1b for the PMT's first H.264 stream, 0x0f for its first ADTS stream. */
    streamType?: number;
    /** For `pat`: the PID of the program's PMT. */
    pmtPid?: number;
  }
  /**
   * What ElementaryStream emits: a whole PES packet of the first H.264 (`video`) or ADTS
   * (`audio`) stream of the PMT, with its timestamps in 90 kHz ticks (33 bits, not unwrapped),
   * or the PMT's tracks (`metadata`).
   */
  interface ElementaryEvent {
    type: 'video' | 'audio' | 'timed-metadata' | 'metadata';
    trackId?: number;
    pts?: number;
    dts?: number;
    data?: Uint8Array;
    tracks?: { id: number; codec: 'avc' | 'adts'; type: 'video' | 'audio' }[];
  }
  const muxjs: {
    mp2t: {
      TransportPacketStream: new () => MuxStream<Uint8Array, Uint8Array>;
      TransportParseStream: new () => MuxStream<Uint8Array, TransportParsed>;
      ElementaryStream: new () => MuxStream<TransportParsed, ElementaryEvent>;
    };
  };
  export default muxjs;
}
