import { describe, expect, test } from 'vitest';
import { combineLoudness, loudnormApplyFilter, parseLoudnormReport } from './loudness.ts';

/** The end of ffmpeg 5.1's log of a `loudnorm=…:print_format=json` run, line by line as ffmpeg.wasm reports it. */
const LOG = [
  'size=N/A time=00:00:03.00 bitrate=N/A speed=24.5x',
  '[Parsed_loudnorm_0 @ 0x55f03735ac40] ',
  '{',
  '\t"input_i" : "-21.75",',
  '\t"input_tp" : "-18.06",',
  '\t"input_lra" : "0.00",',
  '\t"input_thresh" : "-31.75",',
  '\t"output_i" : "-15.95",',
  '\t"output_tp" : "-12.27",',
  '\t"output_lra" : "0.00",',
  '\t"output_thresh" : "-25.95",',
  '\t"normalization_type" : "dynamic",',
  '\t"target_offset" : "-0.05"',
  '}',
];

describe('loudness over chunks', () => {
  test('reads the input measurement of the report, silence as -Infinity', () => {
    expect(parseLoudnormReport(LOG)).toEqual({ integratedLufs: -21.75, truePeakDbtp: -18.06, rangeLu: 0, thresholdLufs: -31.75 });
    const silent = LOG.map((line) => line.replace(/"-[\d.]+"/, '"-inf"'));
    expect(parseLoudnormReport(silent).integratedLufs).toBe(-Infinity);
    expect(() => parseLoudnormReport(['[aac @ 0x1] Qavg: 1000'])).toThrow('ffmpeg printed no loudness measurement (loudnorm report).');
  });

  test('combines chunks by energy over time, gating out chunks 10 LU below; silent chunks count for nothing', () => {
    const m = (integratedLufs: number, truePeakDbtp: number, rangeLu: number) => ({ integratedLufs, truePeakDbtp, rangeLu, thresholdLufs: integratedLufs - 10 });
    const same = combineLoudness([{ measurement: m(-20, -3, 5), durationSec: 600 }, { measurement: m(-20, -1, 7), durationSec: 60 }])!;
    expect(same.integratedLufs).toBeCloseTo(-20, 6);
    expect(same).toMatchObject({ truePeakDbtp: -1, rangeLu: 7 });
    expect(same.thresholdLufs).toBeCloseTo(-30, 6);
    // Equal durations 10 LU apart: 10·log10((1 + 0.1) / 2) above the louder, about -2.6 LU.
    expect(combineLoudness([{ measurement: m(-14, -1, 3), durationSec: 100 }, { measurement: m(-24, -9, 3), durationSec: 100 }])!.integratedLufs).toBeCloseTo(-16.596, 2);
    // A quiet minute 22 LU down is gated out, as EBU R128 gates quiet blocks.
    expect(combineLoudness([{ measurement: m(-18, -2, 4), durationSec: 3600 }, { measurement: m(-40, -30, 2), durationSec: 60 }])!.integratedLufs).toBeCloseTo(-18, 6);
    expect(combineLoudness([{ measurement: m(-Infinity, -Infinity, 0), durationSec: 60 }, { measurement: m(-19, -4, 2), durationSec: 60 }])!.integratedLufs).toBeCloseTo(-19, 6);
    expect(combineLoudness([{ measurement: m(-Infinity, -Infinity, 0), durationSec: 60 }])).toBeNull();
  });

  test('the second pass gives loudnorm the measured values in linear mode', () => {
    expect(loudnormApplyFilter({ integratedLufs: -21.754, truePeakDbtp: -18.06, rangeLu: 0, thresholdLufs: -31.754 })).toBe(
      'loudnorm=I=-16:TP=-1.5:LRA=11:measured_I=-21.75:measured_TP=-18.06:measured_LRA=0.00:measured_thresh=-31.75:linear=true',
    );
  });
});
