/** Why a parameter set could not be read. */
export class ParameterSetError extends Error {
  override name = 'ParameterSetError';
}

/**
 * Removes emulation prevention bytes (the `0x03` in `00 00 03`, ITU-T H.264 section 7.4.1,
 * H.265 section 7.4.2) from a NAL unit, giving its RBSP. Returns a new array.
 */
export function unescapeRbsp(nalUnit: Uint8Array): Uint8Array {
  const out = new Uint8Array(nalUnit.length);
  let length = 0;
  let zeros = 0;
  for (const byte of nalUnit) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out[length++] = byte;
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, length);
}

/** Reads the bit fields of an RBSP: u(n), ue(v) and se(v) (ITU-T H.264 section 9.1). */
export class RbspReader {
  private bit = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** u(n), n up to 32. @throws ParameterSetError past the end. */
  u(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = this.bytes[this.bit >> 3];
      if (byte === undefined) throw new ParameterSetError('parameter set ends early');
      value = value * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit += 1;
    }
    return value;
  }

  /** ue(v): Exp-Golomb, unsigned. @throws ParameterSetError past the end or over 31 leading zeros. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      zeros += 1;
      if (zeros > 31) throw new ParameterSetError('Exp-Golomb code too long');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** se(v): Exp-Golomb, signed. */
  se(): number {
    const code = this.ue();
    return code % 2 === 1 ? (code + 1) / 2 : -code / 2;
  }

  /** Skips `count` bits. */
  skip(count: number): void {
    if (this.bit + count > this.bytes.length * 8) throw new ParameterSetError('parameter set ends early');
    this.bit += count;
  }
}
