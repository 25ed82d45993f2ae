/**
 * Bag benchmark: messages per second read from a rosbag2 MCAP file and
 * decoded from CDR, for sensor_msgs/Imu and for 640x480 rgb8 Images.
 * Reference: the same file read without decoding, in the same run, so the
 * figure separates Kestrel's decoding from the MCAP reader and the disk.
 * Then the replay pipeline's per-message overhead: the same IMU file replayed
 * through BagReplaySource on a SimClock (bus publish, clock stepping, the
 * driver's idle waits) against decoding + converting it bare.
 * The bags are generated (deterministic) into a temp folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TempBuffer } from '@mcap/core';
import {
  BagReplaySource,
  DecoderCache,
  McapBagWriter,
  convertImage,
  convertImu,
  driveReplay,
  openBag,
} from '../../hardware/index.js';
import { MessageBus, SimClock, queue, sensorTopic, silentLogger, type HealthReporter } from '../../runtime/index.js';
import { Services } from '../../runtime/index.js';
import { assertWork, entry, gc, median } from '../harness.js';
import type { BenchEntry } from '../harness.js';

const SUITE = 'bag';
const IMU_MESSAGES = 100_000;
const IMAGE_MESSAGES = 120;
const IMU_TARGET_MSG_S = 50_000;
const IMAGE_TARGET_MSG_S = 500;
/** IMU messages replayed per sample (200 Hz: 50 s of bag time). */
const REPLAY_MESSAGES = 10_000;
const T0_NS = 1_700_000_000_000_000_000n;

interface Rates {
  readonly decodeMsgS: number;
  readonly readMsgS: number;
  /** Process CPU time (user + system) per decoded message, µs: steadier than wall time on a shared machine. */
  readonly decodeCpuUsPerMsg: number;
}

interface PassResult {
  readonly msgS: number;
  readonly cpuUsPerMsg: number;
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
): Promise<PassResult> {
  const bag = await openBag(path);
  const decoders = new DecoderCache();
  const topic = bag.info.topics[0]!;
  const cpu0 = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpu0);
  await bag.close();
  assertWork(`${topic.name} messages ${decode ? 'decoded' : 'read'}`, n, topic.messageCount);
  if (!decode && bytes === 0) throw new Error('benchmark read no bytes');
  return { msgS: n / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / n };
}

async function measure(
  path: string,
  repeats: number,
  convert: (m: Record<string, unknown>) => boolean,
): Promise<Rates> {
  await pass(path, true, convert); // warm-up: JIT and page cache
  const decodeRates: number[] = [];
  const decodeCpu: number[] = [];
  const readRates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    gc();
    const d = await pass(path, true, convert);
    decodeRates.push(d.msgS);
    decodeCpu.push(d.cpuUsPerMsg);
    gc();
    readRates.push((await pass(path, false, convert)).msgS);
  }
  return { decodeMsgS: median(decodeRates), readMsgS: median(readRates), decodeCpuUsPerMsg: median(decodeCpu) };
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
    const replayPath = join(dir, 'replay.mcap');
    await writeBag(replayPath, '/imu', 'sensor_msgs/msg/Imu', imuMessage(), REPLAY_MESSAGES, 5_000_000n);
    const imu = await measure(imuPath, repeats, (m) => convertImu(m).ok);
    const image = await measure(imagePath, repeats, (m) => convertImage(m).ok);
    const reference = (value: number): { name: string; value: number } => ({
      name: 'same MCAP file read without decoding, same run',
      value,
    });
    const replay = await measureReplay(replayPath, repeats);
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
      entry({
        suite: SUITE,
        metric: '640x480 rgb8 Image decoded + converted, CPU time per message',
        value: image.decodeCpuUsPerMsg,
        unit: 'us/msg',
        // 500 msg/s on one core is 2000 µs of CPU per message.
        target: { op: '<=', value: 1e6 / IMAGE_TARGET_MSG_S },
      }),
      entry({
        suite: SUITE,
        metric: 'replay pipeline, Imu at 200 Hz, time per message',
        value: replay.replayUsPerMsg,
        unit: 'us/msg',
        reference: { name: 'same file decoded + converted bare, same run', value: replay.bareUsPerMsg },
      }),
      entry({
        suite: SUITE,
        metric: 'replay pipeline overhead per message (replay - bare)',
        value: replay.replayUsPerMsg - replay.bareUsPerMsg,
        unit: 'us/msg',
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One replay of the IMU bag through BagReplaySource on a SimClock, with one bus subscriber; µs per message. */
async function replayPass(path: string): Promise<number> {
  const clock = new SimClock();
  const bus = new MessageBus({ clock });
  let got = 0;
  bus.subscribe(
    sensorTopic('imu', 'imu'),
    () => {
      got++;
    },
    { policy: queue(1000) },
  );
  const noop = (): void => undefined;
  const health: HealthReporter = {
    ok: noop,
    degraded: noop,
    failed: noop,
    current: () => ({ state: 'ok', sinceMs: 0 }),
  };
  const ctx = {
    bus,
    clock,
    logger: silentLogger(),
    health,
    services: new Services(),
    signal: new AbortController().signal,
  };
  const source = new BagReplaySource({
    path,
    routes: [{ topic: '/imu', sensorId: 'imu', sensorType: 'imu' }],
    loop: false,
  });
  await source.configure(ctx);
  const t0 = performance.now();
  await source.start(ctx);
  const result = await driveReplay(clock, bus, source, { speed: Infinity });
  await bus.drain();
  const us = ((performance.now() - t0) * 1000) / REPLAY_MESSAGES;
  await source.stop();
  assertWork('replayed Imu messages delivered', got, REPLAY_MESSAGES);
  if (result !== 'ended') throw new Error(`replay ended with ${result}`);
  return us;
}

async function measureReplay(path: string, repeats: number): Promise<{ replayUsPerMsg: number; bareUsPerMsg: number }> {
  const bare = (m: Record<string, unknown>): boolean => convertImu(m).ok;
  await replayPass(path); // warm-up
  const replayUs: number[] = [];
  const bareUs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    gc();
    replayUs.push(await replayPass(path));
    gc();
    bareUs.push(1e6 / (await pass(path, true, bare)).msgS);
  }
  return { replayUsPerMsg: median(replayUs), bareUsPerMsg: median(bareUs) };
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
