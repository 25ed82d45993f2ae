import { open, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BagError } from './errors.js';
import { FileReadable } from './file-readable.js';
import { openMcapBag } from './mcap-bag-reader.js';
import { openSqliteBag } from './sqlite-bag-reader.js';
import type { BagReader } from './types.js';

const MCAP_MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50]; // \x89MCAP
const SQLITE_MAGIC = Array.from(new TextEncoder().encode('SQLite format 3'));

/**
 * Opens a rosbag2 bag: an `.mcap` or `.db3` file, or a bag folder (as
 * `ros2 bag record` writes it) holding one such file. The storage is told by
 * the file's first bytes, so a renamed file still opens.
 *
 * @example
 * const bag = await openBag('runs/2026-03-01/rosbag2_0.mcap');
 * for await (const m of bag.messages({ topics: ['/imu'] })) count++;
 * await bag.close();
 */
export async function openBag(path: string): Promise<BagReader> {
  const file = await resolveBagFile(path);
  const kind = await sniff(file);
  if (kind === 'mcap') {
    const readable = await FileReadable.open(file);
    try {
      return await openMcapBag(readable, file, () => readable.close());
    } catch (error) {
      await readable.close();
      throw error;
    }
  }
  if (kind === 'sqlite3') return openSqliteBag(file);
  throw new BagError(
    'bag.unsupported_storage',
    `${file}: not a rosbag2 MCAP or sqlite3 file (extension "${extname(file)}"); Kestrel reads .mcap and .db3 bags`,
  );
}

async function resolveBagFile(path: string): Promise<string> {
  let s;
  try {
    s = await stat(path);
  } catch (error) {
    throw new BagError('bag.not_found', `no bag at ${path}`, { cause: error });
  }
  if (!s.isDirectory()) return path;
  const files = (await readdir(path)).filter((f) => f.endsWith('.mcap') || f.endsWith('.db3')).sort();
  const [only] = files;
  if (files.length === 1 && only !== undefined) return join(path, only);
  if (files.length === 0) throw new BagError('bag.not_found', `the folder ${path} holds no .mcap or .db3 file`);
  throw new BagError(
    'bag.unsupported_storage',
    `the folder ${path} holds a split bag (${files.join(', ')}); open one file at a time`,
  );
}

async function sniff(file: string): Promise<'mcap' | 'sqlite3' | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const starts = (magic: readonly number[]): boolean =>
      bytesRead >= magic.length && magic.every((b, i) => head[i] === b);
    if (starts(MCAP_MAGIC)) return 'mcap';
    if (starts(SQLITE_MAGIC)) return 'sqlite3';
    return undefined;
  } finally {
    await handle.close();
  }
}
