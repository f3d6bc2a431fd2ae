import type { AudioSample } from 'mediabunny';

/** For the export unit tests (never imported by the app): decoded audio gathered for comparison. */

/** Every sample of the blocks joined into one Int16Array per channel, with each block's timestamp in seconds. */
export async function collect(blocks: AsyncIterable<AudioSample>): Promise<{ planes: Int16Array[]; timestampsSec: number[]; sampleRate: number }> {
  const parts: Int16Array[][] = [];
  const timestampsSec: number[] = [];
  let sampleRate = 0;
  for await (const block of blocks) {
    try {
      sampleRate = block.sampleRate;
      timestampsSec.push(block.timestamp);
      for (let channel = 0; channel < block.numberOfChannels; channel++) {
        const plane = new Int16Array(block.numberOfFrames);
        block.copyTo(plane, { format: 's16-planar', planeIndex: channel });
        (parts[channel] ??= []).push(plane);
      }
    } finally {
      block.close();
    }
  }
  const planes = parts.map((chunks) => {
    const joined = new Int16Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    return joined;
  });
  return { planes, timestampsSec, sampleRate };
}
