/** What the packager needs from an AudioSpecificConfig (ISO/IEC 14496-3 section 1.6.2.1). */
export interface AudioSpecificConfig {
  /** The config bytes as sent, for the decoder config's `description`. */
  bytes: Uint8Array;
  /** audioObjectType: 2 for AAC LC, 5 for SBR (HE-AAC), 29 for PS. */
  audioObjectType: number;
  /** Sampling rate in Hz (the core's, before any SBR doubling). */
  sampleRateHz: number;
  /** channelConfiguration (1 mono, 2 stereo, ...); 0 means "in the stream", reported as 2. */
  channels: number;
  /** PCM samples per AAC frame: 1024, or 960 when frameLengthFlag is set. */
  samplesPerFrame: number;
}

/** Sampling frequencies by samplingFrequencyIndex (ISO/IEC 14496-3 table 1.18). */
const SAMPLING_FREQUENCIES_HZ = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** Why an AudioSpecificConfig could not be read; the message names the bad value. */
export class AudioSpecificConfigError extends Error {
  override name = 'AudioSpecificConfigError';
}

/**
 * Reads the `config` fmtp parameter of an RFC 3640 stream (section 4.1: the AudioSpecificConfig
 * as hexadecimal).
 * @param hex e.g. `'1190'` (AAC LC, 48000 Hz, stereo).
 * @throws AudioSpecificConfigError when the text is not hexadecimal, is shorter than 2 bytes, or
 *   names a reserved sampling frequency index.
 */
export function parseAudioSpecificConfigHex(hex: string): AudioSpecificConfig {
  const clean = hex.trim();
  if (!/^([0-9a-fA-F]{2})+$/.test(clean) || clean.length < 4) {
    throw new AudioSpecificConfigError(`AAC config "${hex}" is not an AudioSpecificConfig in hexadecimal`);
  }
  const bytes = new Uint8Array(Buffer.from(clean, 'hex'));
  let bit = 0;
  const read = (count: number): number => {
    let value = 0;
    for (let i = 0; i < count; i += 1, bit += 1) {
      const byte = bytes[bit >> 3];
      if (byte === undefined) throw new AudioSpecificConfigError(`AAC config "${hex}" ends early`);
      value = value * 2 + ((byte >> (7 - (bit & 7))) & 1);
    }
    return value;
  };
  let audioObjectType = read(5);
  if (audioObjectType === 31) audioObjectType = 32 + read(6);
  const frequencyIndex = read(4);
  const sampleRateHz = frequencyIndex === 15 ? read(24) : SAMPLING_FREQUENCIES_HZ[frequencyIndex];
  if (sampleRateHz === undefined || sampleRateHz === 0) {
    throw new AudioSpecificConfigError(`AAC config "${hex}" has the reserved sampling frequency index ${frequencyIndex}`);
  }
  const channelConfiguration = read(4);
  let samplesPerFrame = 1024;
  // GASpecificConfig (section 4.4.1) starts with frameLengthFlag for the AAC object types.
  if ([1, 2, 3, 4, 6, 7].includes(audioObjectType) && bit < bytes.length * 8) samplesPerFrame = read(1) === 1 ? 960 : 1024;
  return { bytes, audioObjectType, sampleRateHz, channels: channelConfiguration === 0 ? 2 : channelConfiguration, samplesPerFrame };
}
