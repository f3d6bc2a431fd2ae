import { ParameterSetError, RbspReader, unescapeRbsp } from './rbsp-reader.ts';

/** What mediabunny's EncodedVideoPacketSource needs: a WebCodecs VideoDecoderConfig. */
export interface VideoTrackConfig {
  /** RFC 6381 codec string, e.g. `avc1.64001f` or `hvc1.1.6.L93.B0`. */
  codec: string;
  /** Picture size in pixels, after cropping. */
  codedWidth: number;
  codedHeight: number;
  /** The avcC (ISO/IEC 14496-15 section 5.3.3.1) or hvcC (section 8.3.3.1) record. */
  description: Uint8Array;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Skips a scaling_list() (ITU-T H.264 section 7.3.2.1.1.1). */
function skipScalingList(reader: RbspReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j += 1) {
    if (next !== 0) next = (last + reader.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * Builds the decoder config of an H.264 track from its SPS and PPS: picture size from the SPS
 * (ITU-T H.264 section 7.3.2.1.1, frame cropping applied), codec string `avc1.PPCCLL`
 * (RFC 6381 section 3.3), and the avcC with 4-byte NAL unit lengths.
 * @param sps Sequence parameter set NAL unit, header byte included.
 * @param pps Picture parameter set NAL unit, header byte included.
 * @throws ParameterSetError when the SPS is truncated or malformed.
 */
export function avcDecoderConfig(sps: Uint8Array, pps: Uint8Array): VideoTrackConfig {
  if (sps.length < 4 || (sps[0]! & 0x1f) !== 7) throw new ParameterSetError('not an H.264 SPS');
  const reader = new RbspReader(unescapeRbsp(sps.subarray(1)));
  const profileIdc = reader.u(8);
  const constraintFlags = reader.u(8);
  const levelIdc = reader.u(8);
  reader.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let bitDepthLumaMinus8 = 0;
  let bitDepthChromaMinus8 = 0;
  let separateColourPlane = 0;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = reader.ue();
    if (chromaFormatIdc === 3) separateColourPlane = reader.u(1);
    bitDepthLumaMinus8 = reader.ue();
    bitDepthChromaMinus8 = reader.ue();
    reader.u(1); // qpprime_y_zero_transform_bypass_flag
    if (reader.u(1) === 1) {
      for (let i = 0; i < (chromaFormatIdc === 3 ? 12 : 8); i += 1) if (reader.u(1) === 1) skipScalingList(reader, i < 6 ? 16 : 64);
    }
  }
  reader.ue(); // log2_max_frame_num_minus4
  const picOrderCntType = reader.ue();
  if (picOrderCntType === 0) reader.ue();
  else if (picOrderCntType === 1) {
    reader.u(1);
    reader.se();
    reader.se();
    const cycle = reader.ue();
    for (let i = 0; i < cycle; i += 1) reader.se();
  }
  reader.ue(); // max_num_ref_frames
  reader.u(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = reader.ue() + 1;
  const heightInMapUnits = reader.ue() + 1;
  const frameMbsOnly = reader.u(1);
  if (frameMbsOnly === 0) reader.u(1);
  reader.u(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (reader.u(1) === 1) crop = [reader.ue(), reader.ue(), reader.ue(), reader.ue()];
  const chromaArrayType = separateColourPlane === 1 ? 0 : chromaFormatIdc;
  const subWidthC = chromaFormatIdc === 3 ? 1 : 2;
  const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (2 - frameMbsOnly);
  const codedWidth = widthInMbs * 16 - cropUnitX * (crop[0]! + crop[1]!);
  const codedHeight = (2 - frameMbsOnly) * heightInMapUnits * 16 - cropUnitY * (crop[2]! + crop[3]!);
  if (codedWidth <= 0 || codedHeight <= 0) throw new ParameterSetError(`SPS gives a picture of ${codedWidth}x${codedHeight}`);

  const extension = HIGH_PROFILES.has(profileIdc) && profileIdc !== 44 ? [0xfc | chromaFormatIdc, 0xf8 | bitDepthLumaMinus8, 0xf8 | bitDepthChromaMinus8, 0] : [];
  const description = new Uint8Array([
    1, sps[1]!, sps[2]!, sps[3]!, 0xff,
    0xe1, sps.length >> 8, sps.length & 0xff, ...sps,
    1, pps.length >> 8, pps.length & 0xff, ...pps,
    ...extension,
  ]);
  const hex = (value: number): string => value.toString(16).padStart(2, '0');
  return { codec: `avc1.${hex(profileIdc)}${hex(constraintFlags)}${hex(levelIdc)}`, codedWidth, codedHeight, description };
}
