import type { Recording } from '../storage/types.ts';
import type { AlternateRendition } from './master-playlist.ts';
import type { RecorderProblem } from './problems.ts';
import type { RecordRequest } from './record-request.ts';

/** The part of a recorder that {@link RenditionRecorders} drives (an HlsRecorder). */
export interface ChildRecorder {
  start(request: RecordRequest): Promise<Recording>;
  stop(): Promise<Recording | null>;
  readonly done: Promise<Recording>;
  pause(): boolean;
  resume(): boolean;
  on(type: 'problem', listener: (problem: RecorderProblem) => void): () => void;
}

/** RFC 6381 "codec" of WebVTT text, the codecs stored for a subtitles rendition (its kind stays null). */
export const WEBVTT_CODEC = 'wvtt';

/**
 * The NAME of the rendition a child recording holds, from the title {@link RenditionRecorders}
 * gives it: `audio_2` of `Show (audio: audio_2)`; the whole title for any other.
 */
export function renditionTrackName(recording: Pick<Recording, 'title'>): string {
  return /\((?:audio|subtitles): (.*)\)$/.exec(recording.title)?.[1] ?? recording.title;
}

/** True for a child recording of a subtitles rendition (WebVTT text). */
export function isSubtitlesRendition(recording: Pick<Recording, 'codecs'>): boolean {
  return recording.codecs.includes(WEBVTT_CODEC);
}

/**
 * The alternate renditions of one main recording (EXT-X-MEDIA with their own URI, RFC 8216
 * section 4.3.4.1), each recorded by its own recorder into a child recording
 * (`parentRecordingId`), with the main recording's life cycle: started after it, paused and
 * resumed with it, stopped before it ends. A rendition that cannot be recorded is reported as a
 * problem that is not fatal: the main recording goes on.
 */
export class RenditionRecorders {
  private readonly recorders: ChildRecorder[] = [];
  private readonly starting: Promise<unknown>[] = [];
  private paused = false;
  private stopped = false;

  /**
   * @param makeRecorder - a new recorder with the main one's store, config and environment.
   * @param onProblem - told of each child's problems, its message prefixed with the rendition's name.
   */
  constructor(
    private readonly makeRecorder: () => ChildRecorder,
    private readonly onProblem: (problem: RecorderProblem) => void,
  ) {}

  /** Starts a new child recording per rendition, named after `parent` and the rendition. */
  start(parent: Recording, renditions: readonly AlternateRendition[]): Promise<void> {
    return this.startAll(
      renditions.map((rendition) => ({
        name: rendition.name,
        request: {
          url: rendition.uri,
          title: `${parent.title} (${rendition.type === 'audio' ? 'audio' : 'subtitles'}: ${rendition.name})`,
          renditions: false,
          parentRecordingId: parent.id,
          renditionType: rendition.type,
          // The same part of a VOD as the main recording, not the whole of its audio.
          ...(parent.timeRange && { timeRange: parent.timeRange }),
        },
      })),
    );
  }

  /**
   * Resumes the child recordings of a resumed main recording, once `children` (read from the
   * store) are known; {@link finish} and {@link stop} wait for that too.
   */
  resumeChildren(parent: Recording, children: Promise<readonly Recording[]>): Promise<void> {
    const job = children.then((list) =>
      this.startAll(list.map((child) => ({ name: child.title, request: { url: child.mediaPlaylistUrl, resumeRecordingId: child.id, parentRecordingId: parent.id } }))),
    );
    this.starting.push(job);
    return job;
  }

  private async startAll(jobs: { name: string; request: RecordRequest }[]): Promise<void> {
    const started = jobs.map(async ({ name, request }) => {
      if (this.stopped) return;
      const recorder = this.makeRecorder();
      recorder.on('problem', (problem) => this.onProblem({ ...problem, message: `${name}: ${problem.message}`, fatal: false }));
      try {
        await recorder.start(request);
      } catch (error) {
        this.onProblem({ code: 'rendition-failed', message: `${name} is not recorded: ${error instanceof Error ? error.message : String(error)}`, fatal: false });
        return;
      }
      this.recorders.push(recorder);
      if (this.stopped) await recorder.stop();
      else if (this.paused) recorder.pause();
    });
    this.starting.push(...started);
    await Promise.all(started);
  }

  /** Pauses every child recorder. */
  pause(): void {
    this.paused = true;
    for (const recorder of this.recorders) recorder.pause();
  }

  /** Resumes every child recorder. */
  resume(): void {
    this.paused = false;
    for (const recorder of this.recorders) recorder.resume();
  }

  /**
   * Waits until every child recorder has ended by itself (a VOD whose main recording is
   * complete: its renditions are fetched whole too).
   */
  async finish(): Promise<void> {
    await Promise.allSettled(this.starting);
    await Promise.allSettled(this.recorders.map((recorder) => recorder.done));
  }

  /** Stops every child recorder (also those still starting) and waits until each has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.starting);
    await Promise.allSettled(this.recorders.map((recorder) => recorder.stop()));
  }
}
