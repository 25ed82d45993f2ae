import type { Clock, Component, ComponentContext, SensorKind, TimerHandle } from '../../runtime/index.js';
import { createCdrDecoder, type CdrDecode } from '../bag/cdr-decoder.js';
import { BagError } from '../bag/errors.js';
import { openBag } from '../bag/open-bag.js';
import type { BagMessage, BagReader } from '../bag/types.js';
import { canonicalRosType } from '../bag/ros-type-name.js';
import { converterFor } from '../ros2/convert/index.js';
import { TF_MESSAGE_TYPE as TF_TYPE } from '../ros2/ros2-tf-source.js';
import { TfSink, type TfSinkStats } from '../ros2/tf-sink.js';
import { SensorSink, type SinkStats } from '../ros2/sensor-sink.js';

/** One bag topic feeding one mission sensor. */
export interface ReplayRoute {
  readonly topic: string;
  readonly sensorId: string;
  readonly sensorType: SensorKind;
}

/** One bag topic of tf2_msgs/TFMessage feeding `state/transforms`. */
export interface TfRoute {
  readonly topic: string;
  readonly isStatic: boolean;
}

export interface BagReplaySourceOptions {
  readonly path: string;
  readonly routes: readonly ReplayRoute[];
  /** tf topics to replay onto `state/transforms`. Default none. */
  readonly tfRoutes?: readonly TfRoute[];
  /** Start again at the end of the bag. */
  readonly loop: boolean;
  /**
   * A silence longer than this between two consecutive messages (of the
   * replayed topics) is cut to this long, ms. Real bags are often several
   * recordings appended, hours apart; a simulated clock would tick through
   * every hour. Default 1000.
   */
  readonly maxGapMs?: number;
  /** Pause between two passes of a looped bag, ms. Default 100. */
  readonly loopGapMs?: number;
  /** Called with every message as it is replayed (before conversion), with its replay time on the clock (mono ms). */
  readonly onInput?: (message: BagMessage, route: ReplayRoute, replayMonoMs: number) => void;
  /** Opens the bag; tests pass an in-memory one. Default `openBag`. */
  readonly open?: (path: string) => Promise<BagReader>;
}

interface Route extends ReplayRoute {
  readonly decode: CdrDecode;
  readonly sink: SensorSink;
}

interface TfReplay extends TfRoute {
  readonly decode: CdrDecode;
  readonly sink: TfSink;
}

/** Same threshold as the one-topic BagSource: a larger stamp-to-log difference means the stamp is not epoch time. */
const MAX_STAMP_LATENCY_MS = 60_000;

/**
 * Replays several topics of one bag as the mission's sensors, in one pass
 * over the file in log-time order: the topics stay aligned with each other
 * (a camera frame recorded 3 ms after an odometry message is published 3 ms
 * after it), and each chunk is read and decompressed once, not once per topic.
 *
 * Time: the first message is published at the clock time start completes,
 * later ones at their recorded offsets (long silences cut to `maxGapMs`).
 * A bag that carries its recorder's span (`BagInfo.recording`, written by
 * `kestrel run --record`) keeps the run's margins: the first message comes
 * as long after the start as it did in the run, and the pass ends at the
 * run's end, not at its last message.
 * On a SimClock the driver asks `whenIdle()` before moving time, so a slow
 * file read never shifts a message to a later instant: the replay is the same
 * at any pacing.
 */
export class BagReplaySource implements Component {
  readonly name = 'bag-replay';
  private reader: BagReader | undefined;
  private routes = new Map<string, Route>();
  private tfRoutes = new Map<string, TfReplay>();
  private stopped = false;
  private pending: { timer: TimerHandle; resolve: () => void } | undefined;
  private running: Promise<void> | undefined;
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private passes = 0;
  private readonly maxGapMs: number;
  private readonly loopGapMs: number;

  constructor(private readonly options: BagReplaySourceOptions) {
    this.maxGapMs = options.maxGapMs ?? 1000;
    this.loopGapMs = options.loopGapMs ?? 100;
    if (!(this.maxGapMs > 0)) throw new RangeError(`maxGapMs must be > 0, got ${this.maxGapMs}`);
    if (!(this.loopGapMs > 0)) throw new RangeError(`loopGapMs must be > 0, got ${this.loopGapMs}`);
    if (options.routes.length === 0) throw new RangeError('a bag replay needs at least one route');
  }

  async configure(ctx: ComponentContext): Promise<void> {
    const o = this.options;
    this.reader = await (o.open ?? openBag)(o.path);
    const routes = new Map<string, Route>();
    for (const r of o.routes) {
      const topic = this.reader.info.topics.find((t) => t.name === r.topic);
      if (topic === undefined) {
        const have = this.reader.info.topics.map((t) => `${t.name} (${t.type})`).join(', ');
        throw new BagError('bag.unknown_topic', `${o.path} has no topic ${r.topic}; it has ${have || 'no topics'}`);
      }
      if (routes.has(r.topic)) throw new RangeError(`topic ${r.topic} is routed to two sensors`);
      const converter = converterFor(topic.type);
      if (converter?.kind !== r.sensorType) {
        throw new BagError(
          'bag.type_mismatch',
          `${r.topic} carries ${topic.type}, which is not a ${r.sensorType} message Kestrel converts`,
        );
      }
      const sink = new SensorSink(r.sensorId, r.sensorType, converter, ctx.bus, ctx.logger);
      routes.set(r.topic, { ...r, decode: createCdrDecoder(topic), sink });
    }
    this.routes = routes;
    const tfRoutes = new Map<string, TfReplay>();
    for (const r of o.tfRoutes ?? []) {
      const topic = this.reader.info.topics.find((t) => t.name === r.topic);
      if (topic === undefined) throw new BagError('bag.unknown_topic', `${o.path} has no topic ${r.topic}`);
      if (canonicalRosType(topic.type) !== TF_TYPE) {
        throw new BagError('bag.type_mismatch', `${r.topic} carries ${topic.type}, not ${TF_TYPE}`);
      }
      tfRoutes.set(r.topic, { ...r, decode: createCdrDecoder(topic), sink: new TfSink(ctx.bus, ctx.logger, r.topic) });
    }
    this.tfRoutes = tfRoutes;
    ctx.logger.info({ bag: o.path, routes: o.routes, loop: o.loop, maxGapMs: this.maxGapMs }, 'bag replay ready');
  }

  async start(ctx: ComponentContext): Promise<void> {
    this.stopped = false;
    this.busy = true;
    const first = await this.openPass();
    this.running = this.run(ctx, first)
      .catch((error: unknown) => {
        const code = error instanceof BagError ? error.code : 'bag.read_failed';
        ctx.health.failed(error instanceof Error ? error.message : String(error), code);
      })
      .finally(() => this.setBusy(false));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pending !== undefined) {
      this.pending.timer.cancel();
      this.pending.resolve();
    }
    await this.running;
    await this.reader?.close();
    this.reader = undefined;
  }

  /** Resolves when the replay has ended (end of a non-looped bag, a read failure, or stop). */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /**
   * Resolves once the source is waiting on the clock for its next message
   * (or has ended): nothing it will publish at the current instant is still
   * being read from the file.
   */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Per sensor id: messages published and rejected (by code). */
  stats(): Record<string, SinkStats & { readonly topic: string }> {
    const out: Record<string, SinkStats & { topic: string }> = {};
    for (const r of this.routes.values()) out[r.sensorId] = { topic: r.topic, ...r.sink.stats() };
    return out;
  }

  /** Completed passes over the bag. */
  passCount(): number {
    return this.passes;
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    if (busy) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async openPass(): Promise<IteratorResult<BagMessage> & { iterator: AsyncIterator<BagMessage> }> {
    const reader = this.reader;
    if (reader === undefined) throw new BagError('bag.not_found', `${this.name} was started before configure`);
    const topics = [...this.routes.keys(), ...this.tfRoutes.keys()];
    const iterator = reader.messages({ topics })[Symbol.asyncIterator]();
    return Object.assign(await iterator.next(), { iterator });
  }

  private async run(
    ctx: ComponentContext,
    first: IteratorResult<BagMessage> & { iterator: AsyncIterator<BagMessage> },
  ): Promise<void> {
    let pass = first;
    for (;;) {
      const sent = await this.play(ctx.clock, pass.iterator, pass);
      if (this.isStopped()) return;
      this.passes++;
      if (sent === 0) {
        ctx.health.degraded('the replayed topics have no messages', 'bag.empty_topic');
        return;
      }
      if (!this.options.loop) {
        ctx.logger.info({ sensors: this.stats() }, 'bag replay finished');
        ctx.health.degraded('end of bag', 'bag.ended');
        return;
      }
      const next = this.openPass();
      await this.sleep(ctx.clock, this.loopGapMs);
      pass = await next;
      if (this.isStopped()) {
        await pass.iterator.return?.();
        return;
      }
    }
  }

  /** Plays one pass; returns how many messages it published or rejected. */
  private async play(
    clock: Clock,
    iterator: AsyncIterator<BagMessage>,
    first: IteratorResult<BagMessage>,
  ): Promise<number> {
    let result = first;
    const span = this.reader?.info.recording;
    // A Kestrel recording knows when its run started: the first message keeps its lead over the start.
    let prevNs: bigint | undefined = span?.startNs;
    let offsetMs = 0;
    const startMono = clock.monoMs();
    const startEpochMs = clock.nowMs();
    let count = 0;
    try {
      while (result.done !== true && !this.stopped) {
        const m = result.value;
        if (prevNs !== undefined) offsetMs += this.gapMs(prevNs, m.logTimeNs);
        prevNs = m.logTimeNs;
        const waitMs = startMono + offsetMs - clock.monoMs();
        if (waitMs > 0) await this.sleep(clock, waitMs);
        if (this.isStopped()) break;
        count++;
        this.publish(m, startEpochMs + offsetMs, clock.monoMs());
        result = await iterator.next();
      }
      // ... and the run went on deciding after its last message: play that tail too.
      if (span !== undefined && prevNs !== undefined && !this.stopped) {
        const waitMs = startMono + offsetMs + this.gapMs(prevNs, span.endNs) - clock.monoMs();
        if (waitMs > 0) await this.sleep(clock, waitMs);
      }
    } finally {
      if (result.done !== true) await iterator.return?.();
    }
    return count;
  }

  /** Time between two log times, ms, with long silences cut to `maxGapMs` (never negative). */
  private gapMs(fromNs: bigint, toNs: bigint): number {
    return Math.max(0, Math.min(Number(toNs - fromNs) / 1e6, this.maxGapMs));
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  /** tf replayed so far, per topic: messages published (and their transforms) and rejected by code. */
  tfStats(): Record<string, TfSinkStats> {
    return Object.fromEntries([...this.tfRoutes.values()].map((r) => [r.topic, r.sink.stats()]));
  }

  private publish(m: BagMessage, replayStampMs: number, monoMs: number): void {
    const tf = this.tfRoutes.get(m.topic);
    if (tf !== undefined) {
      let ros: unknown;
      try {
        ros = tf.decode(m.data);
      } catch (error) {
        tf.sink.reject('bag.decode_failed', String(error));
        return;
      }
      tf.sink.push(ros, tf.isStatic, () => replayStampMs);
      return;
    }
    const route = this.routes.get(m.topic);
    if (route === undefined) return;
    this.options.onInput?.(m, route, monoMs);
    let ros: Record<string, unknown>;
    try {
      ros = route.decode(m.data);
    } catch (error) {
      route.sink.reject(error instanceof BagError ? error.code : 'bag.decode_failed', String(error));
      return;
    }
    const logMs = Number(m.logTimeNs / 1000n) / 1000;
    route.sink.push(ros, (headerMs) => {
      // Keep the sensor's own latency (log time - header stamp) when the stamp is epoch time.
      const latencyMs = headerMs === undefined ? 0 : logMs - headerMs;
      return Math.abs(latencyMs) > MAX_STAMP_LATENCY_MS ? replayStampMs : replayStampMs - latencyMs;
    });
  }

  private sleep(clock: Clock, delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        this.pending = undefined;
        this.setBusy(true);
        resolve();
      }, delayMs);
      this.pending = { timer, resolve };
      this.setBusy(false);
    });
  }
}
