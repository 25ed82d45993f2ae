/**
 * Bus benchmark: fan-out throughput to 4 subscribers and the latency a hop adds.
 * Reference: a bare `node:events` EventEmitter doing the same work in the same
 * run. The EventEmitter calls listeners synchronously with no queue, no policy
 * and no stats, so it is the floor the bus's bookkeeping is measured against.
 */
import { EventEmitter } from 'node:events';
import { MessageBus, WallClock, defineTopic, reliable } from '../../runtime/index.js';
import type { Topic } from '../../runtime/index.js';
import { assertWork, entry, gc, heapUsedBytes, median, percentile } from '../harness.js';
import type { BenchContext, BenchEntry } from '../harness.js';

const SUITE = 'bus';
const SUBSCRIBERS = 4;
/** Messages per fan-out sample. */
const FANOUT_MESSAGES = 400_000;
/**
 * A publisher bursts this many messages, then yields once so the bus delivers
 * them: how a sensor callback or a sim step publishes. It also bounds each
 * reliable queue to one burst.
 */
const BURST = 1_000;
const HOPS = 16;
/** Messages sent one at a time through the chain per latency sample. */
const CHAIN_MESSAGES = 20_000;
const WARMUP_FRACTION = 0.25;

const FANOUT_TARGET_MSG_S = 1_000_000;
const HOP_TARGET_US = 5;
const REFERENCE = 'node:events EventEmitter, same work, same run';

interface Small {
  seq: number;
  value: number;
}

/**
 * Messages per allocation sample: small enough that no scavenge runs inside
 * it (the reading would then go down), so heap growth / messages is the bytes
 * each message allocates.
 */
const ALLOC_MESSAGES = 4_000;

/** Lets the bus's delivery microtask run; the EventEmitter path pays the same await. */
function yieldMicrotask(): Promise<void> {
  return Promise.resolve();
}

/** Publishes `messages` in bursts of BURST, yielding after each burst. */
async function inBursts(messages: number, publish: (seq: number) => void): Promise<void> {
  for (let sent = 0; sent < messages;) {
    const end = Math.min(messages, sent + BURST);
    for (; sent < end; sent++) publish(sent);
    await yieldMicrotask();
  }
}

/** A fan-out rig: `publish` sends one small message to 4 subscribers; `delivered` counts what arrived. */
interface FanoutRig {
  readonly publish: (seq: number) => void;
  readonly delivered: () => number;
  /** Waits until every published message has been delivered, and checks nothing was dropped. */
  readonly finish: (published: number) => Promise<void>;
}

function busRig(): FanoutRig {
  const bus = new MessageBus({ clock: new WallClock() });
  const topic = defineTopic<Small>('bench/fanout', 'bench/Small');
  let delivered = 0;
  for (let s = 0; s < SUBSCRIBERS; s++) {
    bus.subscribe(
      topic,
      (m) => {
        delivered += m.data.value;
      },
      { policy: reliable(BURST * 2), subscriber: `sub${s}` },
    );
  }
  // One message object, rewritten: the benchmark measures the bus, not the publisher's allocations.
  const message: Small = { seq: 0, value: 1 };
  return {
    publish: (seq) => {
      message.seq = seq;
      bus.publish(topic, message);
    },
    delivered: () => delivered,
    finish: async (published) => {
      await bus.drain();
      const stats = bus.stats()[0]!;
      assertWork('bus fan-out published', stats.published, published);
      for (const s of stats.subscriptions) assertWork(`bus fan-out drops (${s.subscriber})`, s.dropped, 0);
    },
  };
}

function emitterRig(): FanoutRig {
  const emitter = new EventEmitter();
  let delivered = 0;
  for (let s = 0; s < SUBSCRIBERS; s++) {
    emitter.on('bench/fanout', (m: Small) => {
      delivered += m.value;
    });
  }
  const message: Small = { seq: 0, value: 1 };
  return {
    publish: (seq) => {
      message.seq = seq;
      emitter.emit('bench/fanout', message);
    },
    delivered: () => delivered,
    finish: () => Promise.resolve(),
  };
}

/** One timed fan-out sample on a fresh rig: published messages per second. */
async function fanoutRate(makeRig: () => FanoutRig, messages: number, label: string): Promise<number> {
  const rig = makeRig();
  gc();
  const t0 = performance.now();
  await inBursts(messages, rig.publish);
  await rig.finish(messages);
  const elapsedMs = performance.now() - t0;
  assertWork(`${label} fan-out deliveries`, rig.delivered(), messages * SUBSCRIBERS);
  return messages / (elapsedMs / 1000);
}

/**
 * Heap bytes allocated per published message, on a warmed rig (its queues
 * already grown): gc, publish ALLOC_MESSAGES, read the heap growth. A sample
 * in which a scavenge ran reads low; the median over repeats discards it.
 */
async function fanoutAllocation(makeRig: () => FanoutRig, repeats: number, label: string): Promise<number> {
  const rig = makeRig();
  await inBursts(ALLOC_MESSAGES * 4, rig.publish);
  const samples: number[] = [];
  let published = ALLOC_MESSAGES * 4;
  for (let r = 0; r < repeats; r++) {
    gc();
    const before = heapUsedBytes();
    await inBursts(ALLOC_MESSAGES, rig.publish);
    samples.push((heapUsedBytes() - before) / ALLOC_MESSAGES);
    published += ALLOC_MESSAGES;
  }
  await rig.finish(published);
  assertWork(`${label} allocation-run deliveries`, rig.delivered(), published * SUBSCRIBERS);
  return median(samples);
}

/**
 * A chain of HOPS topics; each handler republishes to the next. One message
 * at a time goes in at the head; the time until the tail handler sees it,
 * divided by HOPS, is one per-hop latency. Returns every per-hop latency (µs).
 */
async function busChain(messages: number): Promise<number[]> {
  const bus = new MessageBus({ clock: new WallClock() });
  const topics: Topic<number>[] = [];
  for (let i = 0; i <= HOPS; i++) topics.push(defineTopic<number>(`bench/hop/${i}`, 'bench/Seq'));
  for (let i = 0; i < HOPS; i++) {
    const next = topics[i + 1]!;
    bus.subscribe(topics[i]!, (m) => void bus.publish(next, m.data), { policy: reliable(), subscriber: `hop${i}` });
  }
  let arrived: ((seq: number) => void) | undefined;
  bus.subscribe(topics[HOPS]!, (m) => arrived?.(m.data), { policy: reliable(), subscriber: 'tail' });
  const head = topics[0]!;
  const perHopUs = new Array<number>(messages);
  let received = 0;
  gc();
  for (let seq = 0; seq < messages; seq++) {
    const done = new Promise<number>((resolve) => {
      arrived = resolve;
    });
    const t0 = performance.now();
    bus.publish(head, seq);
    const got = await done;
    perHopUs[seq] = ((performance.now() - t0) * 1000) / HOPS;
    if (got === seq) received++;
  }
  assertWork('bus chain messages reaching the tail in order', received, messages);
  const tail = bus.stats().find((t) => t.topic === topics[HOPS]!.name)!;
  assertWork('bus chain tail published', tail.published, messages);
  await bus.close();
  return perHopUs;
}

function emitterChain(messages: number): Promise<number[]> {
  const emitter = new EventEmitter();
  for (let i = 0; i < HOPS; i++) {
    const next = `bench/hop/${i + 1}`;
    emitter.on(`bench/hop/${i}`, (seq: number) => emitter.emit(next, seq));
  }
  let arrived: ((seq: number) => void) | undefined;
  emitter.on(`bench/hop/${HOPS}`, (seq: number) => arrived?.(seq));
  return (async () => {
    const perHopUs = new Array<number>(messages);
    let received = 0;
    gc();
    for (let seq = 0; seq < messages; seq++) {
      const done = new Promise<number>((resolve) => {
        arrived = resolve;
      });
      const t0 = performance.now();
      emitter.emit('bench/hop/0', seq);
      const got = await done;
      perHopUs[seq] = ((performance.now() - t0) * 1000) / HOPS;
      if (got === seq) received++;
    }
    assertWork('EventEmitter chain messages reaching the tail in order', received, messages);
    return perHopUs;
  })();
}

function latencySummary(perHopUs: number[]): { p50: number; p99: number } {
  perHopUs.sort((a, b) => a - b);
  return { p50: percentile(perHopUs, 50), p99: percentile(perHopUs, 99) };
}

export async function busSuite(ctx: BenchContext): Promise<BenchEntry[]> {
  const repeats = Math.max(5, ctx.repeats);

  // Warm-up: let the JIT compile both paths before anything is timed.
  await fanoutRate(busRig, FANOUT_MESSAGES * WARMUP_FRACTION, 'bus');
  await fanoutRate(emitterRig, FANOUT_MESSAGES * WARMUP_FRACTION, 'EventEmitter');
  await busChain(CHAIN_MESSAGES * WARMUP_FRACTION);
  await emitterChain(CHAIN_MESSAGES * WARMUP_FRACTION);

  // Bus and reference alternate, so drift in the machine (thermal, other load) hits both alike.
  const busRates: number[] = [];
  const refRates: number[] = [];
  const busHop: { p50: number; p99: number }[] = [];
  const refHop: { p50: number; p99: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    busRates.push(await fanoutRate(busRig, FANOUT_MESSAGES, 'bus'));
    refRates.push(await fanoutRate(emitterRig, FANOUT_MESSAGES, 'EventEmitter'));
    busHop.push(latencySummary(await busChain(CHAIN_MESSAGES)));
    refHop.push(latencySummary(await emitterChain(CHAIN_MESSAGES)));
  }
  const busBytes = await fanoutAllocation(busRig, repeats, 'bus');
  const refBytes = await fanoutAllocation(emitterRig, repeats, 'EventEmitter');

  const busRate = median(busRates);
  const refRate = median(refRates);
  const busP50 = median(busHop.map((s) => s.p50));
  const refP50 = median(refHop.map((s) => s.p50));
  const busP99 = median(busHop.map((s) => s.p99));
  const refP99 = median(refHop.map((s) => s.p99));

  const named = (value: number, unit: string): { name: string; value: number } => ({
    name: `${REFERENCE}: ${value.toFixed(value >= 100 ? 0 : 3)} ${unit}`,
    value,
  });
  return [
    entry({
      suite: SUITE,
      metric: `fan-out to ${SUBSCRIBERS} subscribers, published`,
      value: busRate,
      unit: 'msg/s',
      reference: named(refRate, 'msg/s'),
      target: { op: '>=', value: FANOUT_TARGET_MSG_S },
    }),
    entry({
      suite: SUITE,
      metric: `fan-out to ${SUBSCRIBERS} subscribers, delivered`,
      value: busRate * SUBSCRIBERS,
      unit: 'deliveries/s',
      reference: named(refRate * SUBSCRIBERS, 'deliveries/s'),
    }),
    entry({
      suite: SUITE,
      metric: `fan-out heap allocated per published message`,
      value: busBytes,
      unit: 'B/msg',
      reference: named(refBytes, 'B/msg'),
    }),
    entry({
      suite: SUITE,
      metric: `latency per hop, p50 (${HOPS}-hop chain)`,
      value: busP50,
      unit: 'µs',
      reference: named(refP50, 'µs'),
      target: { op: '<', value: HOP_TARGET_US },
    }),
    entry({
      suite: SUITE,
      metric: `latency per hop, p99 (${HOPS}-hop chain)`,
      value: busP99,
      unit: 'µs',
      reference: named(refP99, 'µs'),
    }),
  ];
}
