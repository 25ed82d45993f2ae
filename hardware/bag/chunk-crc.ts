import { crc32 } from 'node:zlib';
import type { IReadable } from '@mcap/core';
import { BagError } from './errors.js';

/** Per-read option the MCAP reader passes through to its readable (`readOptions`). */
export interface ChunkReadOptions {
  readonly validateCrcs: boolean;
}

type Decompress = (data: Uint8Array, size: bigint) => Uint8Array;

const CHUNK_OPCODE = 0x06;

/**
 * Checks MCAP chunk CRCs with zlib's native crc32 instead of the MCAP
 * library's JS one: on a 640x480 rgb8 image the JS CRC took ~1.7 ms, as long
 * as reading and decoding the frame together, zlib's ~0.5 ms. The library's
 * check is turned off (`validateCrcs: false`) and this readable does it as
 * each chunk is read: uncompressed chunks at once, compressed ones in the
 * decompress handler (the CRC covers the decompressed records), which finds
 * the expected value by the records' buffer and offset.
 */
export class ChunkCrcReadable implements IReadable<ChunkReadOptions> {
  private chunkStarts: ReadonlySet<bigint> = new Set();
  /** Expected CRC of compressed records not yet decompressed, by their buffer and byte offset. */
  private readonly pending = new WeakMap<ArrayBufferLike, Map<number, number>>();

  constructor(
    private readonly inner: IReadable,
    private readonly path: string,
  ) {}

  /** Where chunks start (from the chunk indexes): only reads at these offsets are chunks. */
  setChunkStarts(starts: Iterable<bigint>): void {
    this.chunkStarts = new Set(starts);
  }

  size(): Promise<bigint> {
    return this.inner.size();
  }

  async read(offset: bigint, size: bigint, options?: ChunkReadOptions): Promise<Uint8Array> {
    const data = await this.inner.read(offset, size);
    if (options?.validateCrcs === true && this.chunkStarts.has(offset)) this.checkChunk(data, offset);
    return data;
  }

  /** `decompress`, followed by the CRC check of its output when the chunk read asked for one. */
  checked(decompress: Decompress): Decompress {
    return (data, size) => {
      const out = decompress(data, size);
      const byOffset = this.pending.get(data.buffer);
      const expected = byOffset?.get(data.byteOffset);
      if (expected !== undefined) {
        byOffset?.delete(data.byteOffset);
        this.compare(crc32(out), expected, 'decompressed chunk');
      }
      return out;
    };
  }

  /** Chunk record: opcode, u64 length, u64 start, u64 end, u64 uncompressed size, u32 CRC, string compression, u64 records length, records. */
  private checkChunk(data: Uint8Array, offset: bigint): void {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.byteLength < 45 || view.getUint8(0) !== CHUNK_OPCODE) return; // the MCAP parser reports a bad record
    const expected = view.getUint32(1 + 8 + 24, true);
    if (expected === 0) return; // 0: the writer computed no CRC
    const compressionLength = view.getUint32(1 + 8 + 28, true);
    const recordsLengthAt = 1 + 8 + 32 + compressionLength;
    if (recordsLengthAt + 8 > data.byteLength) return;
    const recordsLength = Number(view.getBigUint64(recordsLengthAt, true));
    const recordsAt = recordsLengthAt + 8;
    if (recordsAt + recordsLength > data.byteLength) return;
    const records = data.subarray(recordsAt, recordsAt + recordsLength);
    if (compressionLength === 0) {
      this.compare(crc32(records), expected, `chunk at byte ${offset}`);
      return;
    }
    let byOffset = this.pending.get(records.buffer);
    if (byOffset === undefined) {
      byOffset = new Map();
      this.pending.set(records.buffer, byOffset);
    }
    byOffset.set(records.byteOffset, expected);
  }

  private compare(actual: number, expected: number, what: string): void {
    if (actual !== expected) {
      throw new BagError(
        'bag.corrupt',
        `${this.path}: ${what} fails its CRC check (${actual} instead of ${expected}): the file is damaged`,
      );
    }
  }
}
