/**
 * Conformance on real rosbag2 files written by other tools (../shared, absent
 * on a fresh clone: then skipped). For each bag: `bag info` topics, types and
 * counts; every message decodes; some fields equal values read out once.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DecoderCache,
  convertCompressedImage,
  convertImage,
  convertImu,
  convertNavSatFix,
  openBag,
} from '../../../hardware/index.js';
import { runCli } from '../../../cli/program.js';
import { hasReferenceBags, referenceBags } from './paths.js';

interface Expected {
  readonly storage: 'mcap' | 'sqlite3';
  readonly topics: readonly (readonly [string, string, number])[];
  readonly startNs: bigint;
  readonly endNs: bigint;
}

const EXPECTED: Record<string, Expected> = {
  'sample.db3': {
    storage: 'sqlite3',
    topics: [
      ['/fix', 'sensor_msgs/NavSatFix', 1],
      ['/image', 'sensor_msgs/Image', 1],
      ['/image/compressed', 'sensor_msgs/CompressedImage', 1],
      ['/imu', 'sensor_msgs/Imu', 1],
      ['/text', 'std_msgs/String', 1],
    ],
    startNs: 1552860401167984836n,
    endNs: 1553411909073353785n,
  },
  'array_msgs_0.mcap': {
    storage: 'mcap',
    topics: [
      ['/one_shot/imu', 'sensor_msgs/msg/Imu', 1],
      ['/one_shot/joint_state', 'sensor_msgs/msg/JointState', 1],
    ],
    startNs: 1754489469740737342n,
    endNs: 1754489471043571685n,
  },
  'base_msgs_0.mcap': {
    storage: 'mcap',
    topics: [
      ['/one_shot/string', 'std_msgs/msg/String', 1],
      ['/one_shot/twist', 'geometry_msgs/msg/Twist', 1],
      ['/one_shot/vector3', 'geometry_msgs/msg/Vector3', 1],
    ],
    startNs: 1754127213064440150n,
    endNs: 1754127215645206776n,
  },
  'talker.mcap': {
    storage: 'mcap',
    topics: [
      ['/parameter_events', 'rcl_interfaces/msg/ParameterEvent', 0],
      ['/rosout', 'rcl_interfaces/msg/Log', 10],
      ['/topic', 'std_msgs/msg/String', 10],
    ],
    startNs: 1585866235112411371n,
    endNs: 1585866239643508139n,
  },
  'cdr_test_0.mcap': {
    storage: 'mcap',
    topics: [
      ['/array_topic', 'test_msgs/msg/Arrays', 4],
      ['/test_topic', 'test_msgs/msg/BasicTypes', 3],
    ],
    startNs: 1586406456763032325n,
    endNs: 1586406456914169506n,
  },
};

async function decodeAll(file: string): Promise<Record<string, Record<string, unknown>[]>> {
  const bag = await openBag(join(referenceBags, file));
  const decoders = new DecoderCache();
  const out: Record<string, Record<string, unknown>[]> = {};
  try {
    for await (const m of bag.messages()) {
      const topic = bag.info.topics.find((t) => t.name === m.topic)!;
      (out[m.topic] ??= []).push(decoders.get(topic)(m.data));
    }
  } finally {
    await bag.close();
  }
  return out;
}

describe.skipIf(!hasReferenceBags)('reference rosbag2 files (../shared/reference/bags)', () => {
  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`${file}: bag info lists its topics, types, counts and span, and every message decodes`, async () => {
      let out = '';
      const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s), interactive: false };
      expect(await runCli(['bag', 'info', join(referenceBags, file), '--json'], io)).toBe(0);
      const info = JSON.parse(out) as {
        storage: string;
        topics: { name: string; type: string; messageCount: number }[];
        startTimeNs: string;
        endTimeNs: string;
      };
      expect(info.storage).toBe(want.storage);
      expect(info.topics.map((t) => [t.name, t.type, t.messageCount])).toEqual(want.topics.map((t) => [...t]));
      expect([BigInt(info.startTimeNs), BigInt(info.endTimeNs)]).toEqual([want.startNs, want.endNs]);
      const decoded = await decodeAll(file);
      for (const [name, , count] of want.topics) expect(decoded[name] ?? []).toHaveLength(count);
    });
  }

  it('sample.db3 (no stored definitions, old type names): known field values; NO_FIX is rejected', async () => {
    const d = await decodeAll('sample.db3');
    expect(d['/text']![0]).toEqual({ data: 'Hello World' });
    const image = convertImage(d['/image']![0]);
    expect(
      image.ok && [image.message.width, image.message.height, image.message.encoding, image.message.stepBytes],
    ).toEqual([640, 480, 'bgr8', 1920]);
    expect(image.ok && image.message.data.byteLength).toBe(921_600);
    expect(image.ok && Array.from(image.message.data.subarray(0, 4))).toEqual([150, 190, 220, 151]);
    const jpeg = convertCompressedImage(d['/image/compressed']![0]);
    expect(jpeg.ok && [jpeg.message.encoding, jpeg.message.width, jpeg.message.height]).toEqual(['jpeg', 640, 480]);
    expect(jpeg.ok && jpeg.message.data.byteLength).toBe(73_470);
    // The real bag's GNSS message is NO_FIX with NaN latitude: counted and rejected, never converted.
    const fix = d['/fix']![0]!;
    expect(fix).toMatchObject({ header: { frame_id: 'gps' }, status: { status: -1, service: 1 } });
    expect(fix.latitude).toBeNaN();
    expect(convertNavSatFix(fix)).toMatchObject({ ok: false, code: 'gnss.no_fix' });
    const imu = convertImu(d['/imu']![0]);
    if (!imu.ok) throw new Error(imu.reason);
    expect(imu.message.frameId).toBe('base_imu_link');
    expect(imu.message.orientation).toEqual({
      x: -0.00303694183385077,
      y: -0.821769774654061,
      z: 0.569725663340332,
      w: -0.009893582805554232,
    });
    expect(imu.stampMs).toBeCloseTo(1_553_411_909_072.94, 2);
  });

  it('array_msgs_0 and base_msgs_0: Imu, JointState, Twist, Vector3 and String values', async () => {
    const a = await decodeAll('array_msgs_0.mcap');
    const imu = convertImu(a['/one_shot/imu']![0]);
    if (!imu.ok) throw new Error(imu.reason);
    expect(imu.message).toMatchObject({
      frameId: 'imu_link',
      orientation: { x: 0, y: 0, z: 0, w: 1 },
      angularVelocityRps: { x: 0.1, y: 0.2, z: 0.3 },
      linearAccelerationMps2: { x: 1, y: 2, z: 3 },
    });
    const joints = a['/one_shot/joint_state']![0]!;
    expect(joints.name).toEqual(['joint1', 'joint2', 'joint3']);
    expect(Array.from(joints.position as Float64Array)).toEqual([1.5, -0.5, 0.8]);
    expect(Array.from(joints.effort as Float64Array)).toEqual([10.1, 10.2, 10.3]);
    const b = await decodeAll('base_msgs_0.mcap');
    expect(b['/one_shot/twist']![0]).toEqual({ linear: { x: 1.2, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.6 } });
    expect(b['/one_shot/vector3']![0]).toEqual({ x: 1.1, y: 2.2, z: 3.3 });
    expect(b['/one_shot/string']![0]).toEqual({ data: 'Hello, World!' });
  });

  it('talker (zstd chunks) and cdr_test (test_msgs): strings, log records and fixed arrays', async () => {
    const t = await decodeAll('talker.mcap');
    expect(t['/topic']!.map((m) => m.data)).toEqual(Array.from({ length: 10 }, (_, i) => `Hello, world! ${i}`));
    expect(t['/rosout']![0]).toMatchObject({
      level: 20,
      name: 'minimal_publisher',
      msg: "Publishing: 'Hello, world! 0'",
      line: 38,
    });
    const c = await decodeAll('cdr_test_0.mcap');
    expect(c['/test_topic']!.every((m) => m.int32_value === 123 && m.int64_value === 0n)).toBe(true);
    const arrays = c['/array_topic']![0]!;
    expect(arrays.bool_values).toEqual([true, false, true]);
    expect(arrays.string_values).toEqual(['Complex Hello1', 'Complex Hello2', 'Complex Hello3']);
  });
});
