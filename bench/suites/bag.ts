/**
 * Bag benchmark: messages per second read from a rosbag2 MCAP file and
 * decoded from CDR, for sensor_msgs/Imu and for 640x480 rgb8 Images.
 * Reference: the same file read without decoding, in the same run, so the
 * figure separates Kestrel's decoding from the MCAP reader and the disk.
 * The bag is generated (deterministic) into a temp folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TempBuffer } from '@mcap/core';
import { DecoderCache, convertImage, convertImu, openBag } from '../../hardware/index.js';
import { McapBagWriter } from '../../hardware/bag/mcap-bag-writer.js';
import { assertWork, entry, gc, median } from '../harness.js';
import type { BenchEntry } from '../harness.js';

const SUITE = 'bag';
const IMU_MESSAGES = 100_000;
const IMAGE_MESSAGES = 120;
const IMU_TARGET_MSG_S = 50_000;
const IMAGE_TARGET_MSG_S = 500;
const T0_NS = 1_700_000_000_000_000_000n;

interface Rates {
  readonly decodeMsgS: number;
  readonly readMsgS: number;
}

async function writeBag(
  path: string,
  topic: string,
  type: string,
  message: object,
  count: number,
  periodNs: bigint,
): Promise<void> {
  const buffer = new TempBuffer();
  const w = await McapBagWriter.create(buffer);
  await w.addTopic(topic, type);
  // Serialized once and written `count` times: the benchmark times reading, not writing.
  const data = w.serialize(topic, message);
  for (let i = 0; i < count; i++) await w.writeRaw(topic, T0_NS + BigInt(i) * periodNs, data);
  await w.close();
  writeFileSync(path, buffer.get());
}

/** One pass over the bag: with `decode`, CDR-decode and convert each message; without, only read it. */
async function pass(
  path: string,
  decode: boolean,
  convert: (m: Record<string, unknown>) => boolean,
  validateCrcs = true,
): Promise<number> {
  const bag = await openBag(path);
  const decoders = new DecoderCache();
  const topic = bag.info.topics[0]!;
  const t0 = performance.now();
  let n = 0;
  let bytes = 0;
  for await (const m of bag.messages({ validateCrcs })) {
    if (decode) {
      if (convert(decoders.get(topic)(m.data))) n++;
    } else {
      bytes += m.data.byteLength;
      n++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await bag.close();
  assertWork(`${topic.name} messages ${decode ? 'decoded' : 'read'}`, n, topic.messageCount);
  if (!decode && bytes === 0) throw new Error('benchmark read no bytes');
  return n / seconds;
}

async function measure(
  path: string,
  repeats: number,
  convert: (m: Record<string, unknown>) => boolean,
): Promise<Rates> {
  await pass(path, true, convert); // warm-up: JIT and page cache
  const decodeRates: number[] = [];
  const readRates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    gc();
    decodeRates.push(await pass(path, true, convert));
    gc();
    readRates.push(await pass(path, false, convert));
  }
  return { decodeMsgS: median(decodeRates), readMsgS: median(readRates) };
}

export async function bagSuite(ctx: { sharedDir: string | undefined; repeats: number }): Promise<BenchEntry[]> {
  const repeats = Math.max(5, ctx.repeats);
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-bag-'));
  try {
    const imuPath = join(dir, 'imu.mcap');
    const imagePath = join(dir, 'image.mcap');
    await writeBag(imuPath, '/imu', 'sensor_msgs/msg/Imu', imuMessage(), IMU_MESSAGES, 5_000_000n);
    await writeBag(
      imagePath,
      '/camera/image_raw',
      'sensor_msgs/msg/Image',
      imageMessage(640, 480),
      IMAGE_MESSAGES,
      33_333_333n,
    );
    const imu = await measure(imuPath, repeats, (m) => convertImu(m).ok);
    const image = await measure(imagePath, repeats, (m) => convertImage(m).ok);
    const reference = (value: number): { name: string; value: number } => ({
      name: 'same MCAP file read without decoding, same run',
      value,
    });
    return [
      entry({
        suite: SUITE,
        metric: 'Imu decoded + converted from MCAP',
        value: imu.decodeMsgS,
        unit: 'msg/s',
        reference: reference(imu.readMsgS),
        target: { op: '>=', value: IMU_TARGET_MSG_S },
      }),
      entry({
        suite: SUITE,
        metric: '640x480 rgb8 Image decoded + converted from MCAP',
        value: image.decodeMsgS,
        unit: 'msg/s',
        reference: reference(image.readMsgS),
        target: { op: '>=', value: IMAGE_TARGET_MSG_S },
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function imuMessage(): object {
  const cov = Float64Array.from([0.01, 0, 0, 0, 0.01, 0, 0, 0, 0.01]);
  return {
    header: { stamp: { sec: 1_700_000_000, nanosec: 0 }, frame_id: 'imu_link' },
    orientation: { x: 0, y: 0, z: 0.1, w: 0.995 },
    orientation_covariance: cov,
    angular_velocity: { x: 0.01, y: -0.02, z: 0.5 },
    angular_velocity_covariance: cov,
    linear_acceleration: { x: 0.1, y: 0.2, z: 9.81 },
    linear_acceleration_covariance: cov,
  };
}

function imageMessage(width: number, height: number): object {
  const data = new Uint8Array(width * height * 3);
  for (let k = 0; k < data.length; k++) data[k] = k & 255;
  return {
    header: { stamp: { sec: 1_700_000_000, nanosec: 0 }, frame_id: 'camera_optical' },
    height,
    width,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: width * 3,
    data,
  };
}
