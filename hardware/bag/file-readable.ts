import { open, type FileHandle } from 'node:fs/promises';
import type { IReadable } from '@mcap/core';

/**
 * The MCAP reader's random-access input over a file (the fs adapter kept out
 * of the parser, as in mcap's own `@mcap/nodejs`). The reader asks for the
 * summary, then one chunk at a time, so memory stays at one chunk however big
 * the bag.
 */
export class FileReadable implements IReadable {
  private constructor(
    private readonly handle: FileHandle,
    private readonly sizeBytes: number,
  ) {}

  static async open(path: string): Promise<FileReadable> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      return new FileReadable(handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  size(): Promise<bigint> {
    return Promise.resolve(BigInt(this.sizeBytes));
  }

  async read(offset: bigint, size: bigint): Promise<Uint8Array> {
    const length = Number(size);
    const position = Number(offset);
    if (position + length > this.sizeBytes) {
      throw new RangeError(`read of ${length} bytes at ${position} runs past the end of the file (${this.sizeBytes})`);
    }
    // Not zero-filled: every byte is overwritten below, and a chunk is often a whole 1 MB image.
    const buffer = Buffer.allocUnsafeSlow(length);
    let done = 0;
    // read() may return fewer bytes than asked (large reads on some file systems); loop until full.
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) throw new RangeError(`file ended ${length - done} bytes early at ${position + done}`);
      done += bytesRead;
    }
    return buffer;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** An in-memory input: for tests, benchmarks and bags already in memory. Reads are views, not copies. */
export class BufferReadable implements IReadable {
  constructor(private readonly bytes: Uint8Array) {}

  size(): Promise<bigint> {
    return Promise.resolve(BigInt(this.bytes.byteLength));
  }

  read(offset: bigint, size: bigint): Promise<Uint8Array> {
    const start = Number(offset);
    return Promise.resolve(this.bytes.subarray(start, start + Number(size)));
  }
}
