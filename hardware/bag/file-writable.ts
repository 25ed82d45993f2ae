import { open, type FileHandle } from 'node:fs/promises';
import type { IWritable } from '@mcap/core';

/**
 * The MCAP writer's output over a file (the fs adapter kept out of the
 * writer, as FileReadable is for the reader). Writes are appended in order;
 * the writer awaits each one, so there is never more than one in flight.
 */
export class FileWritable implements IWritable {
  private offset = 0n;

  private constructor(private readonly handle: FileHandle) {}

  /** Creates (or truncates) `path`. */
  static async create(path: string): Promise<FileWritable> {
    return new FileWritable(await open(path, 'w'));
  }

  async write(buffer: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buffer.byteLength) {
      const { bytesWritten } = await this.handle.write(buffer, done, buffer.byteLength - done);
      done += bytesWritten;
    }
    this.offset += BigInt(buffer.byteLength);
  }

  position(): bigint {
    return this.offset;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
