/**
 * Telemetry benchmark: sustained records/s through the durable queue (SQLite
 * WAL, synchronous=FULL, group commit per batch) to a real mosquitto at QoS 1,
 * against a raw mqtt.js client publishing the same payloads at QoS 1 in the
 * same run; and end-to-end latency (enqueue → fsync → PUBLISH → subscriber)
 * with the link up. Both sides keep the same window of unacknowledged
 * publishes, and a subscriber counts every delivery, so each sample proves
 * its records arrived. Then the compact encoding: the same records through
 * the queue as MessagePack against JSON in the same run, records/s and
 * payload bytes per record as the subscriber received them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { WallClock, silentLogger } from '../../runtime/index.js';
import {
  LocalBroker,
  MqttLink,
  PAYLOAD_MARKING,
  SqliteQueueStore,
  TelemetryQueue,
  encodeRecord,
  findMosquitto,
  robotTopics,
  type PayloadEncoding,
  type RecordInput,
} from '../../telemetry/index.js';
import { MIB, assertWork, entry, gc, heapUsedBytes, median, percentile } from '../harness.js';
import type { BenchEntry } from '../harness.js';

const SUITE = 'telemetry';
const RECORDS = 20_000;
const BATCH = 100;
/** Unacknowledged publishes at once, queue and raw client alike. */
const WINDOW = 512;
const LATENCY_RECORDS = 1_000;
const LATENCY_GAP_MS = 1;
const RATE_TARGET = 5_000;
const RATIO_TARGET = 0.5;
const REFERENCE = 'raw mqtt.js client, QoS 1, same payloads and properties, same run';
const JSON_REFERENCE = 'durable queue with json encoding, same records, same run';
const ROBOT = 'bench-1';
const topics = robotTopics('kestrel', ROBOT);

/** A detection frame of about 300 bytes: what a perception pipeline publishes per frame. */
const DATA = JSON.stringify({
  pipeline: 'forest-rgb',
  camera: 'cam0',
  model: 'yolo-fire',
  width: 640,
  height: 480,
  frameStampMs: 1_767_225_600_000,
  detections: [
    { classId: 0, className: 'fire', score: 0.91, box: { x1: 120.5, y1: 80.25, x2: 180, y2: 140.75 }, trackId: 7 },
  ],
  latencyMs: { decode: 1.2, infer: 8.7, nms: 0.3 },
});

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function connect(url: string, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { protocolVersion: 5, clientId, clean: true, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/**
 * The same MQTT 5 properties the queue sets on JSON records, so the raw client
 * sends the same PUBLISH packets, not just the same payloads.
 */
const JSON_PROPERTIES = {
  contentType: PAYLOAD_MARKING.json.contentType,
  payloadFormatIndicator: PAYLOAD_MARKING.json.utf8,
} as const;

/** Counts deliveries (and payload bytes) on the detections topic; `onMessage` sees each arrival time. */
async function counter(
  url: string,
  onMessage?: (payload: Buffer) => void,
): Promise<{ client: MqttClient; count: () => number; bytes: () => number }> {
  const client = await connect(url, `bench-sub-${Math.random().toString(36).slice(2)}`);
  let n = 0;
  let bytes = 0;
  client.on('message', (_t, payload) => {
    n++;
    bytes += payload.byteLength;
    onMessage?.(payload);
  });
  await client.subscribeAsync(topics.stream('detections'), { qos: 1 });
  return { client, count: () => n, bytes: () => bytes };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`benchmark stalled waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

interface Rig {
  readonly queue: TelemetryQueue;
  readonly store: SqliteQueueStore;
  readonly link: MqttLink;
  readonly dir: string;
  close(): Promise<void>;
}

async function queueRig(url: string, encoding: PayloadEncoding = 'json'): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-telemetry-'));
  const clock = new WallClock();
  const logger = silentLogger();
  const store = new SqliteQueueStore({ dir, maxBytes: 512 * MIB });
  const link = new MqttLink({ url, clientId: `kestrel-${ROBOT}`, robotId: ROBOT, topics, clock, logger, encoding });
  const queue = new TelemetryQueue({
    store,
    robotId: ROBOT,
    topics,
    clock,
    logger,
    link,
    windowSize: WINDOW,
    encoding,
  });
  link.on({ up: () => queue.linkUp(), down: () => queue.linkDown() });
  link.start();
  await waitFor(() => link.isUp, 'the telemetry link');
  return {
    queue,
    store,
    link,
    dir,
    close: async () => {
      await link.stop();
      queue.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function batchInputs(): RecordInput[] {
  const out: RecordInput[] = [];
  for (let i = 0; i < BATCH; i++)
    out.push({ stream: 'detections', priority: 'record', stampMs: 1_767_225_600_000, data: DATA });
  return out;
}

interface RateSample {
  readonly recordsPerS: number;
  /** Payload bytes per record as the subscriber received them. */
  readonly bytesPerRecord: number;
}

/** Records/s through the durable queue until the broker acknowledged all and the subscriber got all. */
async function queueRate(url: string, encoding: PayloadEncoding = 'json'): Promise<RateSample> {
  const rig = await queueRig(url, encoding);
  const sub = await counter(url);
  const inputs = batchInputs();
  gc();
  const t0 = performance.now();
  for (let sent = 0; sent < RECORDS; sent += BATCH) {
    rig.queue.append(inputs);
    await yieldTurn();
  }
  if (!(await rig.queue.drained(60_000))) throw new Error('telemetry queue did not drain');
  const elapsedMs = performance.now() - t0;
  await waitFor(() => sub.count() >= RECORDS, 'the subscriber (queue)');
  assertWork('records acknowledged and deleted', rig.store.stats().records, 0);
  assertWork('records sequenced', rig.store.nextSeq('detections'), RECORDS);
  assertWork('records delivered to the subscriber (queue)', sub.count(), RECORDS);
  const bytesPerRecord = sub.bytes() / sub.count();
  await sub.client.endAsync();
  await rig.close();
  return { recordsPerS: RECORDS / (elapsedMs / 1000), bytesPerRecord };
}

/**
 * Records/s for a raw mqtt.js client: same payloads, QoS 1, until every
 * PUBACK, with the same window of unacknowledged publishes as the queue
 * (WINDOW). mqtt.js does not honour the broker's Receive Maximum, and
 * mosquitto drops a client that exceeds it, so any real client must window.
 */
async function rawRate(url: string): Promise<number> {
  const client = await connect(url, `raw-${ROBOT}`);
  const sub = await counter(url);
  const robotJson = JSON.stringify(ROBOT);
  const topic = topics.stream('detections');
  let acked = 0;
  let sent = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const pump = (): void => {
    while (sent < RECORDS && sent - acked < WINDOW) {
      client.publish(
        topic,
        encodeRecord(robotJson, 'detections', sent, 1_767_225_600_000, DATA),
        { qos: 1, properties: JSON_PROPERTIES },
        onAck,
      );
      sent++;
    }
  };
  function onAck(error?: Error | null): void {
    // mqtt.js reports success with null or undefined, depending on the path.
    if (error !== undefined && error !== null) return;
    acked++;
    if (acked === RECORDS) done();
    else pump();
  }
  gc();
  const t0 = performance.now();
  pump();
  await finished;
  const elapsedMs = performance.now() - t0;
  await waitFor(() => sub.count() >= RECORDS, 'the subscriber (raw)');
  assertWork('raw records acknowledged', acked, RECORDS);
  assertWork('raw records delivered to the subscriber', sub.count(), RECORDS);
  await sub.client.endAsync();
  await client.endAsync();
  return RECORDS / (elapsedMs / 1000);
}

/** Enqueue → subscriber latency, one record at a time, ms. */
async function queueLatency(url: string): Promise<number[]> {
  const rig = await queueRig(url);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const sub = await counter(url, (payload) => {
    const seq = (JSON.parse(payload.toString('utf8')) as { seq: number }).seq;
    const t = sentAt.get(seq);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  const [input] = batchInputs();
  gc();
  for (let i = 0; i < LATENCY_RECORDS; i++) {
    sentAt.set(i, performance.now());
    rig.queue.append([input!]);
    await new Promise((r) => setTimeout(r, LATENCY_GAP_MS));
  }
  await waitFor(() => sub.count() >= LATENCY_RECORDS, 'latency records at the subscriber');
  assertWork('latency records delivered', latencies.length, LATENCY_RECORDS);
  await sub.client.endAsync();
  await rig.close();
  return latencies.sort((a, b) => a - b);
}

/** The same for the raw client: publish → subscriber, ms. */
async function rawLatency(url: string): Promise<number[]> {
  const client = await connect(url, `raw-lat-${ROBOT}`);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const sub = await counter(url, (payload) => {
    const seq = (JSON.parse(payload.toString('utf8')) as { seq: number }).seq;
    const t = sentAt.get(seq);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  const robotJson = JSON.stringify(ROBOT);
  gc();
  for (let i = 0; i < LATENCY_RECORDS; i++) {
    sentAt.set(i, performance.now());
    client.publish(topics.stream('detections'), encodeRecord(robotJson, 'detections', i, 1_767_225_600_000, DATA), {
      qos: 1,
      properties: JSON_PROPERTIES,
    });
    await new Promise((r) => setTimeout(r, LATENCY_GAP_MS));
  }
  await waitFor(() => sub.count() >= LATENCY_RECORDS, 'raw latency records at the subscriber');
  assertWork('raw latency records delivered', latencies.length, LATENCY_RECORDS);
  await sub.client.endAsync();
  await client.endAsync();
  return latencies.sort((a, b) => a - b);
}

export async function telemetrySuite(ctx: { sharedDir: string | undefined; repeats: number }): Promise<BenchEntry[]> {
  if (findMosquitto() === undefined) {
    process.stderr.write('telemetry bench: mosquitto is not installed (apt-get install mosquitto); suite skipped\n');
    return [];
  }
  const repeats = Math.max(5, ctx.repeats);
  const broker = await LocalBroker.start();
  try {
    // Warm-up: JIT, SQLite page cache, broker allocations.
    await queueRate(broker.url);
    await rawRate(broker.url);
    await queueRate(broker.url, 'msgpack');

    const queueRates: number[] = [];
    const rawRates: number[] = [];
    const qLat: { p50: number; p99: number }[] = [];
    const rLat: { p50: number; p99: number }[] = [];
    const heap: number[] = [];
    const jsonBytes: number[] = [];
    const packedRates: number[] = [];
    const packedBytes: number[] = [];
    for (let r = 0; r < repeats; r++) {
      // Alternate, so machine drift hits all alike.
      const q = await queueRate(broker.url);
      queueRates.push(q.recordsPerS);
      jsonBytes.push(q.bytesPerRecord);
      heap.push(heapUsedBytes());
      rawRates.push(await rawRate(broker.url));
      const p = await queueRate(broker.url, 'msgpack');
      packedRates.push(p.recordsPerS);
      packedBytes.push(p.bytesPerRecord);
    }
    // Latency costs ~1.2 s a sample; three samples are enough for a stable median at p50/p99 of 1,000 each.
    for (let r = 0; r < Math.min(repeats, 3); r++) {
      const q = await queueLatency(broker.url);
      qLat.push({ p50: percentile(q, 50), p99: percentile(q, 99) });
      const w = await rawLatency(broker.url);
      rLat.push({ p50: percentile(w, 50), p99: percentile(w, 99) });
    }
    const qRate = median(queueRates);
    const rRate = median(rawRates);
    const named = (value: number, unit: string): { name: string; value: number } => ({
      name: `${REFERENCE}: ${value.toFixed(value >= 100 ? 0 : 2)} ${unit}`,
      value,
    });
    return [
      entry({
        suite: SUITE,
        metric: `durable queue → mosquitto, QoS 1, ${BATCH}-record commits (fsync each)`,
        value: qRate,
        unit: 'records/s',
        reference: named(rRate, 'records/s'),
        target: { op: '>=', value: RATE_TARGET },
      }),
      entry({
        suite: SUITE,
        metric: 'durable queue / raw client throughput',
        value: qRate / rRate,
        unit: 'x',
        target: { op: '>=', value: RATIO_TARGET },
      }),
      entry({
        suite: SUITE,
        metric: 'end-to-end latency p50 (enqueue → subscriber, link up)',
        value: median(qLat.map((s) => s.p50)),
        unit: 'ms',
        reference: named(median(rLat.map((s) => s.p50)), 'ms'),
      }),
      entry({
        suite: SUITE,
        metric: 'end-to-end latency p99 (enqueue → subscriber, link up)',
        value: median(qLat.map((s) => s.p99)),
        unit: 'ms',
        reference: named(median(rLat.map((s) => s.p99)), 'ms'),
      }),
      entry({ suite: SUITE, metric: 'heap used after a throughput sample', value: median(heap) / MIB, unit: 'MiB' }),
      entry({
        suite: SUITE,
        metric: 'durable queue → mosquitto, QoS 1, msgpack encoding',
        value: median(packedRates),
        unit: 'records/s',
        reference: {
          name: `${JSON_REFERENCE}: ${median(queueRates).toFixed(0)} records/s`,
          value: median(queueRates),
        },
      }),
      entry({
        suite: SUITE,
        metric: 'payload bytes per detection record, msgpack',
        value: median(packedBytes),
        unit: 'B',
        reference: { name: `${JSON_REFERENCE}: ${median(jsonBytes).toFixed(1)} B`, value: median(jsonBytes) },
      }),
    ];
  } finally {
    await broker.stop();
  }
}
