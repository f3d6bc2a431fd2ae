import { describe, expect, it } from 'vitest';
import { CAMERA_STREAMS_DEFAULTS, reconnectDelayMs, resolveCameraStreamsConfig } from './config.ts';

describe('camera settings', () => {
  it('defaults: 2 s segments, 6 in the window, idle stop after a minute', () => {
    expect(resolveCameraStreamsConfig()).toMatchObject({ targetDurationSec: 2, liveSegmentCount: 6, idleStopMs: 60_000 });
  });

  it('refuses a setting out of range, naming it and the value', () => {
    expect(() => resolveCameraStreamsConfig({ idleStopMs: 0 })).toThrow(new RangeError('Camera setting idleStopMs must be a positive number, got 0'));
    expect(() => resolveCameraStreamsConfig({ reconnectJitterRatio: 2 })).toThrow(/reconnectJitterRatio must be from 0 to 1, got 2/);
  });

  it('reconnect delays double from 1 s up to the 30 s cap, and jitter only shortens them by up to half', () => {
    const config = CAMERA_STREAMS_DEFAULTS;
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((failures) => reconnectDelayMs(config, failures, 0))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(reconnectDelayMs(config, 3, 0.999)).toBe(2002);
    expect(reconnectDelayMs(config, 100, 0.5)).toBe(22500);
  });
});
