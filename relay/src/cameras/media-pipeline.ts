import type { RtpPacket, RtspTrack } from '../rtsp/types.ts';
import type { CameraHlsFile } from './types.ts';
import { H264Depacketizer } from '../rtp/h264/depacketizer.ts';
import { H265Depacketizer } from '../rtp/h265/depacketizer.ts';
import { AacDepacketizer } from '../rtp/aac/depacketizer.ts';
import { parseAudioSpecificConfigHex, type AudioSpecificConfig } from '../rtp/aac/audio-specific-config.ts';
import { avcDecoderConfig, type VideoTrackConfig } from '../hls/avc-decoder-config.ts';
import { hevcDecoderConfig } from '../hls/hevc-decoder-config.ts';
import { LiveHlsPackager } from '../hls/live-packager.ts';
import { joinAccessUnits, type AudioAccessUnit, type DepacketizerStats, type VideoAccessUnit } from '../hls/access-unit.ts';

/** Most access units held while waiting for the second keyframe (about 40 s at 25 fps, audio included); then packaging starts anyway. */
const MAX_HELD_ACCESS_UNITS = 3000;

/** The camera offers no video track this relay can package (H.264 or H.265). */
export class UnsupportedCameraError extends Error {
  override name = 'UnsupportedCameraError';
  constructor(readonly offered: string[]) {
    super(`The camera offers no H.264 or H.265 video (it offers ${offered.length === 0 ? 'no tracks' : offered.join(', ')})`);
  }
}

/** Options of {@link MediaPipeline}. */
export interface MediaPipelineOptions {
  /** EXT-X-TARGETDURATION in seconds, raised to the camera's keyframe interval, or a later segment, when that is longer. */
  targetDurationSec: number;
  /** Segments in the live window. */
  maxSegmentCount: number;
  /** First media sequence number, to go on from an earlier session's playlist. Default 0. */
  mediaSequenceOffset?: number;
  /** Earlier sessions whose playlists this one continues (EXT-X-DISCONTINUITY-SEQUENCE). Default 0. */
  discontinuitySequence?: number;
  /** The muxer failed (the pipeline stops packaging). */
  onError: (error: Error) => void;
  /** A media playlist was written. */
  onPlaylist?: (text: string) => void;
}

/** Which tracks a camera session should set up, and what is dropped. */
export interface TrackChoice {
  video: RtspTrack;
  /** AAC track, or null. */
  audio: RtspTrack | null;
  /** rtpmap name of an audio track that is left out because HLS in browsers cannot carry it (e.g. `PCMU`), or null. */
  droppedAudioCodec: string | null;
}

/** True for an RFC 3640 AAC track (MPEG4-GENERIC, mode AAC-hbr or AAC-lbr, with a config). */
function isAac(track: RtspTrack): boolean {
  return track.encodingName === 'MPEG4-GENERIC' && /^aac-(hbr|lbr)$/i.test(track.fmtp['mode'] ?? '') && track.fmtp['config'] !== undefined;
}

/**
 * Picks the first H.264/H.265 video track and the first AAC audio track of a DESCRIBE answer.
 * @throws UnsupportedCameraError when there is no H.264 or H.265 video track.
 */
export function chooseTracks(tracks: RtspTrack[]): TrackChoice {
  const video = tracks.find((t) => t.mediaType === 'video' && (t.encodingName === 'H264' || t.encodingName === 'H265'));
  if (video === undefined) throw new UnsupportedCameraError(tracks.map((t) => `${t.mediaType} ${t.encodingName}`));
  const audioTracks = tracks.filter((t) => t.mediaType === 'audio');
  const audio = audioTracks.find(isAac) ?? null;
  const dropped = audio === null ? (audioTracks[0]?.encodingName ?? null) : null;
  return { video, audio, droppedAudioCodec: dropped };
}

/**
 * One camera session's media path: RTP packets of the chosen tracks -> depacketizers
 * (RFC 6184 / RFC 7798 / RFC 3640) -> {@link LiveHlsPackager}. The packager is made at the second
 * keyframe (the first interval is held, then replayed), with SPS/PPS (and VPS) from the SDP or
 * in band; EXT-X-TARGETDURATION is the configured one or the keyframe interval, whichever is longer,
 * and grows to any longer segment a later, longer keyframe interval makes.
 */
export class MediaPipeline {
  private readonly video: H264Depacketizer | H265Depacketizer;
  private readonly audio: AacDepacketizer | null;
  private readonly audioConfig: AudioSpecificConfig | null;
  private packager: LiveHlsPackager | null = null;
  /** Access units from the first keyframe until the second, held to measure the keyframe interval. */
  private firstGop: { video: boolean; trackIndex: number; au: VideoAccessUnit | AudioAccessUnit; wallClockMs: number }[] | null = null;
  /** The newest video access unit, held until one with another RTP timestamp comes (see {@link push}). */
  private lastVideo: { au: VideoAccessUnit; wallClockMs: number } | null = null;
  private closed = false;

  /**
   * @param tracks The tracks as set up; `videoIndex` and `audioIndex` index them (audio -1 for none).
   * @throws AudioSpecificConfigError when the AAC track's `config` cannot be read.
   */
  constructor(
    private readonly tracks: RtspTrack[],
    private readonly videoIndex: number,
    private readonly audioIndex: number,
    private readonly options: MediaPipelineOptions,
  ) {
    const video = tracks[videoIndex]!;
    this.video = video.encodingName === 'H265' ? new H265Depacketizer(video.fmtp) : new H264Depacketizer(video.fmtp);
    const audio = audioIndex >= 0 ? tracks[audioIndex]! : null;
    this.audioConfig = audio === null ? null : parseAudioSpecificConfigHex(audio.fmtp['config'] ?? '');
    this.audio =
      audio === null || this.audioConfig === null ? null : new AacDepacketizer(audio.fmtp, Math.round((this.audioConfig.samplesPerFrame * audio.clockRateHz) / this.audioConfig.sampleRateHz));
  }

  /** Depacketizer counters: video, and audio (null without audio). */
  get stats(): { video: DepacketizerStats; audio: DepacketizerStats | null } {
    return { video: this.video.stats, audio: this.audio?.stats ?? null };
  }

  /** Bytes the live HLS files hold in memory. */
  get bytesHeld(): number {
    return this.packager?.bytesHeld ?? 0;
  }

  /** Media sequence number a following session should start at. */
  get nextMediaSequence(): number {
    return this.packager?.nextMediaSequence ?? this.options.mediaSequenceOffset ?? 0;
  }

  /** True once the media playlist exists. */
  get hasPlaylist(): boolean {
    return this.packager?.hasPlaylist ?? false;
  }

  /** A live HLS file by name, or null. */
  getFile(name: string): CameraHlsFile | null {
    return this.packager?.getFile(name) ?? null;
  }

  /**
   * Takes one RTP packet of track `trackIndex` (others are ignored).
   *
   * A video access unit goes on once the next one, with another RTP timestamp, arrives: the
   * marker bit belongs on the last packet of a picture (RFC 6184 section 5.1), but some camera
   * firmware (OpenIPC, x264 with sliced threads) sets it on the last packet of every slice, so
   * access units that share a timestamp are joined into one picture here. That costs one frame
   * interval of latency, well inside a segment.
   * @param wallClockMs Unix time in ms of the packet's RTP timestamp (RTCP SR mapping, else arrival).
   */
  push(trackIndex: number, packet: RtpPacket, wallClockMs: number): void {
    if (this.closed) return;
    if (trackIndex === this.videoIndex) {
      for (const au of this.video.push(packet)) {
        const last = this.lastVideo;
        if (last !== null && last.au.rtpTimestamp === au.rtpTimestamp) {
          this.lastVideo = { au: joinAccessUnits(last.au, au), wallClockMs: last.wallClockMs };
          continue;
        }
        if (last !== null) this.addVideo(last.au, last.wallClockMs);
        this.lastVideo = { au, wallClockMs };
      }
    } else if (trackIndex === this.audioIndex && this.audio !== null) {
      for (const au of this.audio.push(packet)) {
        if (this.firstGop !== null) this.firstGop.push({ video: false, trackIndex, au, wallClockMs });
        else this.packager?.addAudio(au, wallClockMs);
      }
    }
  }

  /**
   * The packager starts at the second keyframe, once the keyframe interval is known, so that
   * EXT-X-TARGETDURATION is at least the longest segment (RFC 8216 section 4.3.3.1); the first
   * interval is held and replayed.
   */
  private addVideo(au: VideoAccessUnit, wallClockMs: number): void {
    if (this.packager !== null) {
      this.packager.addVideo(au, wallClockMs);
      return;
    }
    if (this.firstGop === null) {
      if (au.keyframe) this.firstGop = [{ video: true, trackIndex: this.videoIndex, au, wallClockMs }];
      return;
    }
    const held = this.firstGop;
    const first = held[0]!.au as VideoAccessUnit;
    if (!au.keyframe && held.length < MAX_HELD_ACCESS_UNITS) {
      held.push({ video: true, trackIndex: this.videoIndex, au, wallClockMs });
      return;
    }
    const clockRateHz = this.tracks[this.videoIndex]!.clockRateHz;
    const keyframeIntervalSec = (((au.rtpTimestamp - first.rtpTimestamp) >>> 0) / clockRateHz);
    this.firstGop = null;
    this.packager = this.makePackager(Math.max(this.options.targetDurationSec, Math.ceil(keyframeIntervalSec - 0.001)));
    if (this.packager === null) return;
    for (const item of held) {
      if (item.video) this.packager.addVideo(item.au as VideoAccessUnit, item.wallClockMs);
      else this.packager.addAudio(item.au as AudioAccessUnit, item.wallClockMs);
    }
    this.packager.addVideo(au, wallClockMs);
  }

  /** EXT-X-TARGETDURATION of the playlist in seconds, or null before the packager exists. */
  get targetDurationSec(): number | null {
    return this.packager?.targetDurationSec ?? null;
  }

  /** Stops packaging and keeps the files written so far, still served by {@link getFile}. Safe to call twice. */
  async stop(): Promise<void> {
    this.closed = true;
    await this.packager?.stop();
  }

  /** Stops the muxer and frees its files. Safe to call twice, and after {@link stop}. */
  async close(): Promise<void> {
    this.closed = true;
    await this.packager?.close();
  }

  private makePackager(targetDurationSec: number): LiveHlsPackager | null {
    let config: VideoTrackConfig;
    try {
      if (this.video instanceof H265Depacketizer) {
        const { vps, sps, pps } = this.video.parameterSets;
        if (vps === null || sps === null || pps === null) return null;
        config = hevcDecoderConfig(vps, sps, pps);
      } else {
        const { sps, pps } = this.video.parameterSets;
        if (sps === null || pps === null) return null;
        config = avcDecoderConfig(sps, pps);
      }
    } catch (error) {
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
      return null;
    }
    const video = this.tracks[this.videoIndex]!;
    const audio = this.audioIndex >= 0 ? this.tracks[this.audioIndex]! : null;
    return new LiveHlsPackager({
      video: { codec: video.encodingName === 'H265' ? 'hevc' : 'avc', config, clockRateHz: video.clockRateHz },
      audio: audio === null || this.audioConfig === null ? null : { config: this.audioConfig, clockRateHz: audio.clockRateHz },
      targetDurationSec,
      maxSegmentCount: this.options.maxSegmentCount,
      mediaSequenceOffset: this.options.mediaSequenceOffset,
      discontinuitySequence: this.options.discontinuitySequence,
      onError: this.options.onError,
      onPlaylist: this.options.onPlaylist,
    });
  }
}
