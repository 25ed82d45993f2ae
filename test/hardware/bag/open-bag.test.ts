import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BagError, openBag } from '../../../hardware/index.js';
import { sensorsDb3, sensorsMcap } from './paths.js';

describe('openBag', () => {
  it('tells the storage by content, and opens a bag folder holding one file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-bag-'));
    copyFileSync(sensorsDb3, join(dir, 'renamed.bin'));
    const renamed = await openBag(join(dir, 'renamed.bin'));
    expect(renamed.info.storage).toBe('sqlite3');
    await renamed.close();
    const folder = join(dir, 'rosbag2_run');
    mkdirSync(folder);
    copyFileSync(sensorsMcap, join(folder, 'rosbag2_run_0.mcap'));
    writeFileSync(join(folder, 'metadata.yaml'), 'rosbag2_bagfile_information: {}\n');
    const bag = await openBag(folder);
    expect(bag.info.storage).toBe('mcap');
    await bag.close();
  });

  it('EXPECTED FAILURE - a missing path is bag.not_found', async () => {
    await expect(openBag('/no/such/bag.mcap')).rejects.toMatchObject({ code: 'bag.not_found' });
  });

  it('EXPECTED FAILURE - a file that is neither MCAP nor sqlite3 is bag.unsupported_storage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-bag-'));
    writeFileSync(join(dir, 'x.bag'), '#ROSBAG V2.0\n');
    const err = await openBag(join(dir, 'x.bag')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BagError);
    expect(err).toMatchObject({ code: 'bag.unsupported_storage' });
  });

  it('EXPECTED FAILURE - a split bag folder says to open one file at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-bag-'));
    copyFileSync(sensorsMcap, join(dir, 'a_0.mcap'));
    copyFileSync(sensorsMcap, join(dir, 'a_1.mcap'));
    await expect(openBag(dir)).rejects.toMatchObject({ code: 'bag.unsupported_storage' });
  });
});
