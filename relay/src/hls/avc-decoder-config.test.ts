import { describe, expect, it } from 'vitest';
import { avcDecoderConfig } from './avc-decoder-config.ts';
import { hevcDecoderConfig } from './hevc-decoder-config.ts';
import { ParameterSetError, unescapeRbsp } from './rbsp-reader.ts';

describe('parameter sets', () => {
  it('removes emulation prevention bytes', () => {
    expect([...unescapeRbsp(Uint8Array.of(0, 0, 3, 1, 0, 0, 3, 0, 3))]).toEqual([0, 0, 1, 0, 0, 0, 3]);
  });

  it('refuses truncated or foreign SPS with ParameterSetError', () => {
    expect(() => avcDecoderConfig(Uint8Array.of(0x67, 0x64, 0x00), Uint8Array.of(0x68))).toThrow(ParameterSetError);
    expect(() => avcDecoderConfig(Uint8Array.of(0x67, 0x42, 0xc0, 0x1e), Uint8Array.of(0x68))).toThrow(ParameterSetError);
    expect(() => avcDecoderConfig(Uint8Array.of(0x68, 0, 0, 0), Uint8Array.of(0x68))).toThrow('not an H.264 SPS');
    expect(() => hevcDecoderConfig(Uint8Array.of(0x40, 1), Uint8Array.of(0x42, 0x01, 0x01, 0x01), Uint8Array.of(0x44, 1))).toThrow(ParameterSetError);
  });

  it('reads a 640x360 High profile SPS (x264) into avc1.64001e with cropping applied', () => {
    // x264 SPS for 640x360: 40x23 macroblocks with 8 rows cropped (frame_crop_bottom_offset 4).
    const sps = Uint8Array.from(Buffer.from('Z2QAHqzZQKAv+XARAAADAAEAAAMAMg8WLZY=', 'base64'));
    const config = avcDecoderConfig(sps, Uint8Array.of(0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0));
    expect(config).toMatchObject({ codec: 'avc1.64001e', codedWidth: 640, codedHeight: 360 });
    expect([...config.description.subarray(0, 6)]).toEqual([1, 0x64, 0x00, 0x1e, 0xff, 0xe1]);
  });
});
