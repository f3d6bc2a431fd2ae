import {
  BufferTarget,
  CmafOutputFormat,
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedVideoPacketSource,
  HlsOutputFormat,
  Output,
  PathedTarget,
  type Target,
} from 'mediabunny';
import type { CameraHlsFile } from '../cameras/types.ts';
import type { AudioAccessUnit, VideoAccessUnit } from './access-unit.ts';
import type { VideoTrackConfig } from './avc-decoder-config.ts';
import type { AudioSpecificConfig } from '../rtp/aac/audio-specific-config.ts';
import { RtpClock } from './rtp-clock.ts';

/** Name of the media playlist players load (RFC 8216 section 4.3.4). */
export const MEDIA_PLAYLIST_NAME = 'index.m3u8';
/** Tells one packager's files from an earlier one's (after a reconnect), so caches never mix them up. */
let packagerCount = 0;

/** Options of {@link LiveHlsPackager}. */
export interface LiveHlsPackagerOptions {
  video: { codec: 'avc' | 'hevc'; config: VideoTrackConfig; clockRateHz: number };
  /** The AAC track, or null for video only. */
  audio: { config: AudioSpecificConfig; clockRateHz: number } | null;
  /**
   * EXT-X-TARGETDURATION, in seconds; segments are cut on the first keyframe after it. The
   * playlist's is raised to a longer segment's (see {@link LiveHlsPackager.targetDurationSec}).
   */
  targetDurationSec: number;
  /**
   * Segments the playlist lists (the sliding window). A segment that leaves it stays fetchable
   * for as many segments again (plus one), then is freed.
   */
  maxSegmentCount: number;
  /**
   * Added to every EXT-X-MEDIA-SEQUENCE, so a packager that follows another one (after a
   * reconnect) goes on counting where it stopped (RFC 8216 section 6.2.2). Default 0.
   */
  mediaSequenceOffset?: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE: how many packagers came before this one. Default 0. */
  discontinuitySequence?: number;
  /** The muxer failed; the packager is unusable afterwards. */
  onError: (error: Error) => void;
  /** A new media playlist was written (for latency measurement); `segmentCount` is how many it lists. */
  onPlaylist?: (text: string) => void;
}

/** A file of the output: its bytes and content type. */
const CONTENT_TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', mp4: 'video/mp4', m4s: 'video/iso.segment' };

/**
 * Live HLS (RFC 8216) with fMP4/CMAF segments, made by mediabunny's HlsOutputFormat in live
 * mode and kept in memory: `index.m3u8` (the media playlist, with EXT-X-PROGRAM-DATE-TIME),
 * `init-<tag>.mp4` and `segment-<tag>-<n>.m4s`, the tag new for every packager so a file name
 * never stands for two different files (HTTP caches keep segments). Segments start on keyframes; the playlist lists the
 * newest `maxSegmentCount`. A segment that leaves the playlist stays fetchable for about the
 * playlist's duration more (RFC 8216 section 6.2.2: a client that loaded the playlist just
 * before may still ask for it; a recorder in a throttled tab often does), then is dropped from
 * memory, so memory stays bounded at about twice the window.
 *
 * Timing: each track's RTP timestamps are unwrapped and mapped to Unix time through the wall
 * clock given with its first access unit (RTCP sender report time, else arrival time).
 * Nothing is written before the first video keyframe; audio before it is dropped.
 */
export class LiveHlsPackager {
  private readonly files = new Map<string, CameraHlsFile>();
  /** Segments that left the playlist and are still kept, oldest first. */
  private readonly popped: string[] = [];
  private readonly output: Output;
  private readonly videoSource: EncodedVideoPacketSource;
  private readonly audioSource: EncodedAudioPacketSource | null;
  private readonly videoClock: RtpClock;
  private readonly audioClock: RtpClock | null;
  private readonly audioFrameSec: number;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private heldVideo: { au: VideoAccessUnit; timestampSec: number } | null = null;
  /** Latest presentation time of the pictures taken so far, in Unix seconds. */
  private maxVideoSec = -Infinity;
  /** Latest presentation time of the pictures taken before the last key frame (its GOP's floor). */
  private maxVideoSecBeforeKey = -Infinity;
  /** Shortest step between two pictures' presentation times seen: the frame interval, in seconds. */
  private frameIntervalSec = Infinity;
  /** A picture came before one it is shown after (B-frames): durations are the frame interval. */
  private reordered = false;
  private firstVideoSec: number | null = null;
  private started = false;
  private failed = false;
  private closed = false;
  /** EXT-X-TARGETDURATION written into the playlist, in seconds (see {@link raiseTargetDuration}). */
  private advertisedTargetSec: number;
  /** Name of the init section (RFC 8216 section 4.3.2.5, EXT-X-MAP): `init-<tag>.mp4`. */
  readonly initSectionName: string;
  private readonly tag: string;
  /** Media sequence number the next packager should start at: one past this one's newest segment. */
  nextMediaSequence: number;
  /**
   * Access units dropped: the muxer fell behind, or a picture repeated the time of the one
   * before, or would be shown before a picture of an earlier GOP.
   */
  droppedAccessUnits = 0;

  constructor(private readonly options: LiveHlsPackagerOptions) {
    this.nextMediaSequence = options.mediaSequenceOffset ?? 0;
    this.advertisedTargetSec = Math.ceil(options.targetDurationSec);
    packagerCount += 1;
    this.tag = `${Date.now().toString(36)}${packagerCount.toString(36)}`;
    this.initSectionName = `init-${this.tag}.mp4`;
    this.videoClock = new RtpClock(options.video.clockRateHz);
    this.audioClock = options.audio === null ? null : new RtpClock(options.audio.clockRateHz);
    this.audioFrameSec = options.audio === null ? 0 : options.audio.config.samplesPerFrame / options.audio.config.sampleRateHz;
    const format = new HlsOutputFormat({
      segmentFormat: new CmafOutputFormat(),
      live: true,
      targetDuration: options.targetDurationSec,
      maxLiveSegmentCount: options.maxSegmentCount,
      getPlaylistPath: () => MEDIA_PLAYLIST_NAME,
      getInitPath: () => this.initSectionName,
      getSegmentPath: ({ n }) => this.segmentName(n),
      onPlaylist: (text) => {
        const renumbered = this.raiseTargetDuration(this.renumber(text));
        this.files.set(MEDIA_PLAYLIST_NAME, { body: new TextEncoder().encode(renumbered), contentType: CONTENT_TYPES.m3u8! });
        options.onPlaylist?.(renumbered);
      },
      onInit: (target) => this.keep(this.initSectionName, target),
      onSegment: (target, info) => this.keep(this.segmentName(info.n), target),
      onSegmentPopped: (path) => {
        this.popped.push(path);
        while (this.popped.length > options.maxSegmentCount + 1) this.files.delete(this.popped.shift()!);
      },
    });
    this.output = new Output({ format, target: new PathedTarget('master.m3u8', () => new BufferTarget()) });
    this.videoSource = new EncodedVideoPacketSource(options.video.codec);
    this.output.addVideoTrack(this.videoSource, { isRelativeToUnixEpoch: true });
    this.audioSource = options.audio === null ? null : new EncodedAudioPacketSource('aac');
    if (this.audioSource !== null) this.output.addAudioTrack(this.audioSource, { isRelativeToUnixEpoch: true });
  }

  /** Bytes held by the files in memory. */
  get bytesHeld(): number {
    let bytes = 0;
    for (const file of this.files.values()) bytes += file.body.length;
    return bytes;
  }

  /** True once the media playlist lists a segment. */
  get hasPlaylist(): boolean {
    return this.files.has(MEDIA_PLAYLIST_NAME);
  }

  /** Name of segment `n` (1-based): `segment-<tag>-<n>.m4s`. */
  segmentName(n: number): string {
    return `segment-${this.tag}-${n}.m4s`;
  }

  /** A file by name (`index.m3u8`, `init-<tag>.mp4`, `segment-<tag>-<n>.m4s`), or null when unknown or gone. */
  getFile(name: string): CameraHlsFile | null {
    return this.files.get(name) ?? null;
  }

  /**
   * Adds a video access unit.
   * @param wallClockMs Unix time of this access unit in ms (RTCP SR mapping or arrival time);
   *   only the first one given is used, to anchor the track.
   */
  addVideo(au: VideoAccessUnit, wallClockMs: number): void {
    if (this.failed || this.closed) return;
    if (this.heldVideo === null && this.firstVideoSec === null && !au.keyframe) return;
    const timestampSec = this.videoClock.toUnixSec(au.rtpTimestamp, wallClockMs);
    const held = this.heldVideo;
    if (held !== null) {
      const stepSec = timestampSec - held.timestampSec;
      // Pictures come in decode order and the RTP timestamp is the presentation time (RFC 6184
      // section 5.1), so with B-frames a picture may be shown before the one sent ahead of it;
      // mediabunny works out decode times from that. It refuses a picture shown before one of an
      // earlier GOP, and a key frame shown before any picture already sent.
      const floorSec = au.keyframe ? this.maxVideoSec : this.maxVideoSecBeforeKey;
      if (stepSec === 0 || timestampSec < floorSec) {
        this.droppedAccessUnits += 1;
        return;
      }
      this.frameIntervalSec = Math.min(this.frameIntervalSec, Math.abs(stepSec));
      this.reordered ||= stepSec < 0;
      const durationSec = this.reordered ? this.frameIntervalSec : stepSec;
      this.enqueue(() => this.videoSource.add(this.videoPacket(held.au, held.timestampSec, durationSec), { decoderConfig: this.decoderConfig() }));
    }
    if (this.firstVideoSec === null) this.firstVideoSec = timestampSec;
    if (au.keyframe) this.maxVideoSecBeforeKey = this.maxVideoSec;
    this.maxVideoSec = Math.max(this.maxVideoSec, timestampSec);
    this.heldVideo = { au, timestampSec };
  }

  /** Adds an AAC frame; dropped before the first video keyframe. */
  addAudio(au: AudioAccessUnit, wallClockMs: number): void {
    const source = this.audioSource;
    const clock = this.audioClock;
    const config = this.options.audio;
    if (source === null || clock === null || config === null || this.failed || this.closed) return;
    const timestampSec = clock.toUnixSec(au.rtpTimestamp, wallClockMs);
    if (this.firstVideoSec === null || timestampSec < this.firstVideoSec) return;
    const packet = new EncodedPacket(au.data, 'key', timestampSec, this.audioFrameSec);
    this.enqueue(() =>
      source.add(packet, {
        decoderConfig: { codec: `mp4a.40.${config.config.audioObjectType}`, sampleRate: config.config.sampleRateHz, numberOfChannels: config.config.channels, description: config.config.bytes },
      }),
    );
  }

  /**
   * EXT-X-TARGETDURATION of the playlist, in seconds: the one given, or the longest segment
   * written so far when that is longer (see {@link raiseTargetDuration}).
   */
  get targetDurationSec(): number {
    return this.advertisedTargetSec;
  }

  /**
   * Stops the muxer (the picture it was cutting into a segment is dropped) and keeps the files
   * written so far, which {@link getFile} still serves. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    if (this.started) await this.output.cancel().catch(() => undefined);
  }

  /** Stops the muxer and frees every file. Safe to call twice, and after {@link stop}. */
  async close(): Promise<void> {
    await this.stop();
    this.files.clear();
  }

  private decoderConfig(): VideoDecoderConfig {
    const { config } = this.options.video;
    return { codec: config.codec, codedWidth: config.codedWidth, codedHeight: config.codedHeight, description: config.description };
  }

  private videoPacket(au: VideoAccessUnit, timestampSec: number, durationSec: number): EncodedPacket {
    let bytes = 0;
    for (const nal of au.nalUnits) bytes += 4 + nal.length;
    const data = new Uint8Array(bytes);
    const view = new DataView(data.buffer);
    let offset = 0;
    for (const nal of au.nalUnits) {
      view.setUint32(offset, nal.length);
      data.set(nal, offset + 4);
      offset += 4 + nal.length;
    }
    return new EncodedPacket(data, au.keyframe ? 'key' : 'delta', timestampSec, durationSec);
  }

  /** Runs muxer work in order; drops work when over 600 items are waiting (the muxer cannot keep up). */
  private enqueue(work: () => Promise<void>): void {
    if (this.queued > 600) {
      this.droppedAccessUnits += 1;
      return;
    }
    this.queued += 1;
    this.chain = this.chain.then(async () => {
      this.queued -= 1;
      if (this.failed || this.closed) return;
      try {
        if (!this.started) {
          this.started = true;
          await this.output.start();
        }
        await work();
      } catch (error) {
        this.failed = true;
        this.options.onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /**
   * Shifts the playlist's EXT-X-MEDIA-SEQUENCE by the offset and, after an earlier packager,
   * adds EXT-X-DISCONTINUITY-SEQUENCE and an EXT-X-DISCONTINUITY before the first segment while
   * it is listed (RFC 8216 sections 4.3.3.3, 4.3.2.3, 6.2.2).
   */
  private renumber(text: string): string {
    const offset = this.options.mediaSequenceOffset ?? 0;
    const discontinuities = this.options.discontinuitySequence ?? 0;
    let firstListed = 0;
    let out = text.replace(/#EXT-X-MEDIA-SEQUENCE:(\d+)\n/, (_line, value: string) => {
      firstListed = Number(value);
      return `#EXT-X-MEDIA-SEQUENCE:${offset + firstListed}\n${discontinuities > 0 ? `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuities - (firstListed === 0 ? 1 : 0)}\n` : ''}`;
    });
    const segments = (out.match(/^#EXTINF:/gm) ?? []).length;
    this.nextMediaSequence = offset + firstListed + segments;
    if (discontinuities > 0 && firstListed === 0) out = out.replace(/^#EXTINF:/m, '#EXT-X-DISCONTINUITY\n#EXTINF:');
    return out;
  }

  /**
   * Raises the playlist's EXT-X-TARGETDURATION to the longest segment it lists, rounded to the
   * nearest integer, and never lowers it again. Segments are cut on the first key frame after
   * the target, so a camera whose key frame interval grows after the first GOP (the "smart"
   * codecs of many IP cameras stretch it on still scenes) makes segments longer than the
   * target the packager started with, and every EXTINF, rounded, must be at most the target
   * (RFC 8216 section 4.3.3.1). The target then changes, which section 6.2.1 forbids; no value
   * meets both before the stream's longest GOP is known, and one that only grows keeps players'
   * reload timing and live edge safe (MediaMTX's gohlslib takes the longest listed segment too).
   */
  private raiseTargetDuration(text: string): string {
    for (const [, durationSec] of text.matchAll(/^#EXTINF:([\d.]+)/gm)) this.advertisedTargetSec = Math.max(this.advertisedTargetSec, Math.round(Number(durationSec)));
    return text.replace(/^#EXT-X-TARGETDURATION:\d+$/m, `#EXT-X-TARGETDURATION:${this.advertisedTargetSec}`);
  }

  private keep(name: string, target: Target): void {
    const buffer = target instanceof BufferTarget ? target.buffer : null;
    if (buffer === null) return;
    const extension = name.slice(name.lastIndexOf('.') + 1);
    this.files.set(name, { body: new Uint8Array(buffer), contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream' });
  }
}
