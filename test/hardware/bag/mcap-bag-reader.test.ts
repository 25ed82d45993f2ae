import { readFileSync } from 'node:fs';
import { TempBuffer } from '@mcap/core';
import { describe, expect, it } from 'vitest';
import { BagError, BufferReadable, DecoderCache, openBag, openMcapBag } from '../../../hardware/index.js';
import { GOOD_FIX, MS_NS, SENSORS_MCAP_TOPICS, T0_NS, writeSensorsMcap } from '../fixtures/sensor-bags.js';
import { sensorsMcap } from './paths.js';

describe('MCAP bag reader', () => {
  it('the checked-in sensors.mcap is what tools/fixtures/make-bags.ts writes today', async () => {
    const fresh = new TempBuffer();
    await writeSensorsMcap(fresh);
    expect(Buffer.from(fresh.get()).equals(readFileSync(sensorsMcap))).toBe(true);
  });

  it('lists topics, types, counts and the time span', async () => {
    const bag = await openBag(sensorsMcap);
    try {
      expect(bag.info.storage).toBe('mcap');
      expect(bag.info.topics.map((t) => [t.name, t.type, t.messageCount])).toEqual(
        SENSORS_MCAP_TOPICS.map((t) => [...t]),
      );
      expect(bag.info.messageCount).toBe(22);
      expect(bag.info.startNs).toBe(T0_NS);
      expect(bag.info.endNs).toBe(T0_NS + 2000n * MS_NS + 2n);
      expect(bag.info.topics.every((t) => t.schema?.encoding === 'ros2msg')).toBe(true);
    } finally {
      await bag.close();
    }
  });

  it('round-trips every message through CDR with the schema stored in the bag', async () => {
    const bag = await openMcapBag(new BufferReadable(readFileSync(sensorsMcap)), 'mem', () => Promise.resolve());
    const decoders = new DecoderCache();
    const seen: Record<string, Record<string, unknown>[]> = {};
    let last = 0n;
    for await (const m of bag.messages()) {
      expect(m.logTimeNs >= last).toBe(true);
      last = m.logTimeNs;
      const topic = bag.info.topics.find((t) => t.name === m.topic)!;
      (seen[m.topic] ??= []).push(decoders.get(topic)(m.data));
    }
    const imu = seen['/imu']![3]!;
    expect(imu).toMatchObject({
      header: { stamp: { sec: 1_700_000_000, nanosec: 30_000_000 }, frame_id: 'imu_link' },
      angular_velocity: { x: 0.03, y: -0.02, z: 0.5 },
      linear_acceleration: { x: 0.1, y: 0.2, z: 9.81 },
    });
    const image = seen['/camera/image_raw']![1]!;
    expect(image).toMatchObject({ width: 4, height: 3, encoding: 'rgb8', step: 12 });
    expect(Array.from((image.data as Uint8Array).subarray(0, 3))).toEqual([1, 2, 3]);
    const fixes = seen['/fix']!;
    expect(fixes[0]).toMatchObject({ status: { status: 0 }, latitude: GOOD_FIX.lat, longitude: GOOD_FIX.lon });
    expect(fixes[1]!.latitude).toBeNaN();
    expect(seen['/cmd_vel']![0]).toEqual({ linear: { x: 0.5, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.25 } });
  });

  it('reads only the topics asked for', async () => {
    const bag = await openBag(sensorsMcap);
    const topics = new Set<string>();
    let n = 0;
    for await (const m of bag.messages({ topics: ['/fix', '/odom'] })) {
      topics.add(m.topic);
      n++;
    }
    await bag.close();
    expect([...topics].sort()).toEqual(['/fix', '/odom']);
    expect(n).toBe(4);
  });

  it('EXPECTED FAILURE - a truncated file is bag.corrupt, naming the file', async () => {
    const bytes = readFileSync(sensorsMcap).subarray(0, 2000);
    const err = await openMcapBag(new BufferReadable(bytes), 'cut.mcap', () => Promise.resolve()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BagError);
    expect(err).toMatchObject({ code: 'bag.corrupt', message: expect.stringContaining('cut.mcap') });
  });
});
