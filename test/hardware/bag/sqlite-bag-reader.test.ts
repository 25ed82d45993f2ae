import { describe, expect, it } from 'vitest';
import { DecoderCache, openBag } from '../../../hardware/index.js';
import { MS_NS, SENSORS_DB3_TOPICS, T0_NS } from '../fixtures/sensor-bags.js';
import { sensorsDb3 } from './paths.js';

describe('sqlite3 bag reader', () => {
  it('lists old-style type names with counts and an exact int64 time span', async () => {
    const bag = await openBag(sensorsDb3);
    try {
      expect(bag.info.storage).toBe('sqlite3');
      expect(bag.info.topics.map((t) => [t.name, t.type, t.messageCount])).toEqual(
        SENSORS_DB3_TOPICS.map((t) => [...t]),
      );
      expect(bag.info.topics.every((t) => t.schema === undefined)).toBe(true);
      // T0 + 1 ns would round away as a double: the reader keeps bigint.
      expect(bag.info.startNs).toBe(T0_NS);
      expect(bag.info.endNs).toBe(T0_NS + 1000n * MS_NS);
    } finally {
      await bag.close();
    }
  });

  it('decodes every message with the built-in definitions, in time order', async () => {
    const bag = await openBag(sensorsDb3);
    const decoders = new DecoderCache();
    const order: string[] = [];
    const decoded: Record<string, unknown>[] = [];
    for await (const m of bag.messages()) {
      order.push(m.topic);
      decoded.push(decoders.get(bag.info.topics.find((t) => t.name === m.topic)!)(m.data));
    }
    await bag.close();
    expect(order).toEqual(['/imu', '/fix', '/imu', '/image', '/imu', '/fix']);
    expect(decoded[3]).toMatchObject({ width: 2, height: 2, encoding: 'mono8', step: 2 });
    expect(Array.from(decoded[3]!.data as Uint8Array)).toEqual([7, 8, 9, 10]);
    expect(decoded[1]).toMatchObject({ status: { status: -1 } });
  });

  it('stops reading cleanly when the consumer breaks out early', async () => {
    const bag = await openBag(sensorsDb3);
    for await (const m of bag.messages({ topics: ['/imu'] })) {
      expect(m.topic).toBe('/imu');
      break;
    }
    let n = 0;
    for await (const _ of bag.messages({ topics: ['/imu', '/nope'] })) n++;
    expect(n).toBe(3);
    await bag.close();
  });
});
