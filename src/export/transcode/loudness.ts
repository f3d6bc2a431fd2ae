/**
 * EBU R128 loudness normalisation of a whole recording that ffmpeg.wasm transcodes chunk by
 * chunk: a first pass measures each chunk with `loudnorm` (its JSON report), the measurements
 * are combined into the recording's, and the second pass gives every chunk the same
 * `loudnorm` with those measured values in linear mode, so one gain applies to the whole
 * recording instead of each chunk being levelled on its own. (ffmpeg-filters, "loudnorm";
 * EBU Tech 3341/3342.)
 */

import { LOUDNORM_RANGE_LU, LOUDNORM_TARGET_LUFS, LOUDNORM_TRUE_PEAK_DBTP } from './settings.ts';

/** What `loudnorm` measured of an input (its `input_*` report values). */
export interface LoudnessMeasurement {
  /** Integrated loudness, in LUFS; -Infinity for silence. */
  integratedLufs: number;
  /** True peak, in dBTP. */
  truePeakDbtp: number;
  /** Loudness range, in LU. */
  rangeLu: number;
  /** Gating threshold, in LUFS. */
  thresholdLufs: number;
}

/** The `loudnorm` filter of the measuring pass: prints its report as JSON at the end. */
export const LOUDNORM_MEASURE_FILTER = `loudnorm=I=${LOUDNORM_TARGET_LUFS}:TP=${LOUDNORM_TRUE_PEAK_DBTP}:LRA=${LOUDNORM_RANGE_LU}:print_format=json`;

/**
 * Reads `loudnorm`'s JSON report out of ffmpeg's log lines.
 * @throws Error when the log holds no report.
 */
export function parseLoudnormReport(logLines: readonly string[]): LoudnessMeasurement {
  const text = logLines.join('\n');
  const json = /\{[^{}]*"input_i"[^{}]*\}/.exec(text)?.[0];
  if (!json) throw new Error('ffmpeg printed no loudness measurement (loudnorm report).');
  const report = JSON.parse(json) as Record<string, string>;
  const value = (key: string) => (report[key] === '-inf' ? -Infinity : Number(report[key]));
  return { integratedLufs: value('input_i'), truePeakDbtp: value('input_tp'), rangeLu: value('input_lra'), thresholdLufs: value('input_thresh') };
}

/** Duration-weighted mean of chunks' energies, in LUFS. */
function meanLufs(chunks: readonly { measurement: LoudnessMeasurement; durationSec: number }[]): number {
  const totalSec = chunks.reduce((sum, chunk) => sum + chunk.durationSec, 0);
  const energy = chunks.reduce((sum, chunk) => sum + chunk.durationSec * 10 ** (chunk.measurement.integratedLufs / 10), 0) / totalSec;
  return 10 * Math.log10(energy);
}

/**
 * The loudness of a recording from the measurements of its chunks, following the gating of EBU
 * Tech 3341 at chunk level: integrated loudness as the duration-weighted mean of the chunks'
 * energies, leaving out chunks 10 LU or more below that mean (as the relative gate leaves out
 * quiet blocks), so a long quiet stretch does not pull a programme down; then the highest true
 * peak and loudness range, and the gate 10 LU below the integrated loudness. Close to, not
 * exactly, a measurement of the whole (gating inside chunks is not redone).
 * @param chunks - each chunk's measurement and duration in seconds.
 * @returns null when every chunk is silent (nothing to normalise).
 */
export function combineLoudness(chunks: readonly { measurement: LoudnessMeasurement; durationSec: number }[]): LoudnessMeasurement | null {
  const audible = chunks.filter((chunk) => Number.isFinite(chunk.measurement.integratedLufs) && chunk.durationSec > 0);
  if (!audible.length) return null;
  const ungatedLufs = meanLufs(audible);
  const heard = audible.filter((chunk) => chunk.measurement.integratedLufs > ungatedLufs - 10);
  const integratedLufs = meanLufs(heard);
  return {
    integratedLufs,
    truePeakDbtp: Math.max(...heard.map((chunk) => chunk.measurement.truePeakDbtp)),
    rangeLu: Math.max(...heard.map((chunk) => chunk.measurement.rangeLu)),
    thresholdLufs: integratedLufs - 10,
  };
}

/**
 * The `loudnorm` filter of the second pass: the recording's measured values and linear mode, so
 * that every chunk gets the same gain (loudnorm falls back to dynamic mode where that gain
 * would push the true peak over the target).
 */
export function loudnormApplyFilter(measured: LoudnessMeasurement): string {
  const f = (value: number) => value.toFixed(2);
  return (
    `loudnorm=I=${LOUDNORM_TARGET_LUFS}:TP=${LOUDNORM_TRUE_PEAK_DBTP}:LRA=${LOUDNORM_RANGE_LU}` +
    `:measured_I=${f(measured.integratedLufs)}:measured_TP=${f(measured.truePeakDbtp)}:measured_LRA=${f(measured.rangeLu)}:measured_thresh=${f(measured.thresholdLufs)}:linear=true`
  );
}
