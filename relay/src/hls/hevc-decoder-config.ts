import type { VideoTrackConfig } from './avc-decoder-config.ts';
import { ParameterSetError, RbspReader, unescapeRbsp } from './rbsp-reader.ts';

/**
 * Builds the decoder config of an H.265 track from its VPS, SPS and PPS: picture size from
 * the SPS (ITU-T H.265 section 7.3.2.2, conformance window applied), the `hvc1` codec string
 * (ISO/IEC 14496-15 annex E.3) and the hvcC record (section 8.3.3.1) with 4-byte NAL unit
 * lengths and one array each for VPS, SPS and PPS.
 * @param vps, sps, pps NAL units with their 2-byte headers.
 * @throws ParameterSetError when the SPS is truncated or malformed.
 */
export function hevcDecoderConfig(vps: Uint8Array, sps: Uint8Array, pps: Uint8Array): VideoTrackConfig {
  if (sps.length < 4 || ((sps[0]! >> 1) & 0x3f) !== 33) throw new ParameterSetError('not an H.265 SPS');
  const rbsp = unescapeRbsp(sps.subarray(2));
  const reader = new RbspReader(rbsp);
  reader.u(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = reader.u(3);
  const temporalIdNesting = reader.u(1);
  // profile_tier_level(1, sps_max_sub_layers_minus1), section 7.3.3: general part is 12 bytes.
  const profileSpace = reader.u(2);
  const tier = reader.u(1);
  const profileIdc = reader.u(5);
  const compatibility = reader.u(32);
  const constraint: number[] = [];
  for (let i = 0; i < 6; i += 1) constraint.push(reader.u(8));
  const levelIdc = reader.u(8);
  const subLayerFlags: [number, number][] = [];
  for (let i = 0; i < maxSubLayersMinus1; i += 1) subLayerFlags.push([reader.u(1), reader.u(1)]);
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i += 1) reader.u(2);
  for (const [profilePresent, levelPresent] of subLayerFlags) {
    if (profilePresent === 1) reader.skip(88);
    if (levelPresent === 1) reader.skip(8);
  }
  reader.ue(); // sps_seq_parameter_set_id
  const chromaFormatIdc = reader.ue();
  if (chromaFormatIdc === 3) reader.u(1);
  let width = reader.ue();
  let height = reader.ue();
  if (reader.u(1) === 1) {
    const subWidthC = chromaFormatIdc === 1 || chromaFormatIdc === 2 ? 2 : 1;
    const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
    const [left, right, top, bottom] = [reader.ue(), reader.ue(), reader.ue(), reader.ue()];
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
  }
  const bitDepthLumaMinus8 = reader.ue();
  const bitDepthChromaMinus8 = reader.ue();
  if (width <= 0 || height <= 0) throw new ParameterSetError(`SPS gives a picture of ${width}x${height}`);

  const arrays = [vps, sps, pps].map((nal) => [0x80 | ((nal[0]! >> 1) & 0x3f), 0, 1, nal.length >> 8, nal.length & 0xff, ...nal]);
  const description = new Uint8Array([
    1,
    (profileSpace << 6) | (tier << 5) | profileIdc,
    (compatibility >>> 24) & 0xff, (compatibility >>> 16) & 0xff, (compatibility >>> 8) & 0xff, compatibility & 0xff,
    ...constraint,
    levelIdc,
    0xf0, 0x00, // min_spatial_segmentation_idc 0
    0xfc, // parallelismType 0
    0xfc | chromaFormatIdc,
    0xf8 | bitDepthLumaMinus8,
    0xf8 | bitDepthChromaMinus8,
    0, 0, // avgFrameRate unknown
    ((maxSubLayersMinus1 + 1) << 3) | (temporalIdNesting << 2) | 3,
    3,
    ...arrays.flat(),
  ]);
  let reversed = 0;
  for (let i = 0; i < 32; i += 1) reversed = reversed * 2 + ((compatibility >>> i) & 1);
  const constraintHex = constraint.slice(0, constraint.reduce((last, byte, i) => (byte !== 0 ? i + 1 : last), 0)).map((b) => b.toString(16).toUpperCase());
  const codec = ['hvc1', `${['', 'A', 'B', 'C'][profileSpace]}${profileIdc}`, reversed.toString(16).toUpperCase(), `${tier === 1 ? 'H' : 'L'}${levelIdc}`, ...constraintHex].join('.');
  return { codec, codedWidth: width, codedHeight: height, description };
}
