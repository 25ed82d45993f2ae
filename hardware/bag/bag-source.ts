import type { Clock, Component, ComponentContext, SensorKind, TimerHandle } from '../../runtime/index.js';
import { converterFor } from '../ros2/convert/index.js';
import { SensorSink, type SinkStats } from '../ros2/sensor-sink.js';
import { createCdrDecoder, type CdrDecode } from './cdr-decoder.js';
import { BagError } from './errors.js';
import { openBag } from './open-bag.js';
import type { BagMessage, BagReader } from './types.js';

interface Pass {
  readonly iterator: AsyncIterator<BagMessage>;
  readonly first: IteratorResult<BagMessage>;
}

export interface BagSourceOptions {
  readonly sensorId: string;
  readonly sensorType: SensorKind;
  /** The sensor's nominal rate: the pause between two passes of a looped one-message bag, Hz. */
  readonly rateHz: number;
  readonly path: string;
  readonly topic: string;
  /** Start again at the end of the bag. */
  readonly loop: boolean;
  /** Bag seconds per clock second: 2 plays twice as fast. Default 1. */
  readonly speed?: number;
  /** Opens the bag; tests pass an in-memory one. Default `openBag`. */
  readonly open?: (path: string) => Promise<BagReader>;
}

/**
 * A clock-base difference larger than this between a message's header stamp
 * and its log time means the stamp is not epoch time (a device counting from
 * boot), so the log time is used alone.
 */
const MAX_STAMP_LATENCY_MS = 60_000;

/**
 * Replays one topic of a rosbag2 bag as a sensor, in bag time on the
 * injected clock: messages keep their recorded spacing (divided by `speed`),
 * so on a SimClock a replay is as deterministic as the simulator. Stamps are
 * re-based onto the clock (the first message of a pass is stamped "now"):
 * staleness checks and fusion compare stamps with `clock.nowMs()`, and a
 * 2019 stamp would be stale on arrival.
 *
 * The next message is read from the bag before waiting for its time, so file
 * I/O overlaps the wait instead of delaying the publish.
 */
export class BagSource implements Component {
  readonly name: string;
  private reader: BagReader | undefined;
  private decode: CdrDecode | undefined;
  private sink: SensorSink | undefined;
  private stopped = false;
  private pending: { timer: TimerHandle; resolve: () => void } | undefined;
  private running: Promise<void> | undefined;
  private readonly speed: number;

  constructor(private readonly options: BagSourceOptions) {
    this.name = `bag-${options.sensorId}`;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0 && Number.isFinite(this.speed))) {
      throw new RangeError(`replay speed must be a positive number, got ${this.speed}`);
    }
  }

  async configure(ctx: ComponentContext): Promise<void> {
    const o = this.options;
    this.reader = await (o.open ?? openBag)(o.path);
    const topic = this.reader.info.topics.find((t) => t.name === o.topic);
    if (topic === undefined) {
      const have = this.reader.info.topics.map((t) => `${t.name} (${t.type})`).join(', ');
      throw new BagError('bag.unknown_topic', `${o.path} has no topic ${o.topic}; it has ${have || 'no topics'}`);
    }
    const converter = converterFor(topic.type);
    if (converter?.kind !== o.sensorType) {
      throw new BagError(
        'bag.type_mismatch',
        `${o.topic} carries ${topic.type}, which is not a ${o.sensorType} message Kestrel converts`,
      );
    }
    this.decode = createCdrDecoder(topic);
    this.sink = new SensorSink(o.sensorId, o.sensorType, converter, ctx.bus, ctx.logger);
    ctx.logger.info(
      { bag: o.path, topic: o.topic, type: topic.type, messages: topic.messageCount, speed: this.speed, loop: o.loop },
      'bag source ready',
    );
  }

  /**
   * Reads the first message before returning, so the replay's time zero is
   * the clock time at which start completes, not some later instant after
   * the first file read: on a SimClock the schedule is then exact.
   */
  async start(ctx: ComponentContext): Promise<void> {
    this.stopped = false;
    const first = await this.openPass();
    this.running = this.run(ctx, first).catch((error: unknown) => {
      const code = error instanceof BagError ? error.code : 'bag.read_failed';
      ctx.health.failed(error instanceof Error ? error.message : String(error), code);
    });
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

  /** Resolves when the replay has ended (end of a non-looped bag, or stop). */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  stats(): SinkStats {
    return this.sink?.stats() ?? { published: 0, rejected: {} };
  }

  /** A fresh pass over the topic with its first message already read. */
  private async openPass(): Promise<Pass> {
    const reader = this.reader;
    if (reader === undefined) throw new BagError('bag.not_found', `${this.name} was started before configure`);
    const iterator = reader.messages({ topics: [this.options.topic] })[Symbol.asyncIterator]();
    return { iterator, first: await iterator.next() };
  }

  private async run(ctx: ComponentContext, first: Pass): Promise<void> {
    let pass = first;
    for (;;) {
      const sent = await this.play(ctx.clock, pass);
      if (this.stopped) return;
      if (sent === 0) {
        ctx.health.degraded(`${this.options.topic} has no messages`, 'bag.empty_topic');
        return;
      }
      if (!this.options.loop) {
        ctx.logger.info({ ...this.stats() }, 'bag replay finished');
        ctx.health.degraded('end of bag', 'bag.ended');
        return;
      }
      // One sensor period between passes, so a one-message bag loops at the sensor's rate, not in a hot loop.
      const next = this.openPass();
      await this.sleep(ctx.clock, 1000 / this.options.rateHz / this.speed);
      pass = await next;
      if (this.isStopped()) {
        await pass.iterator.return?.();
        return;
      }
    }
  }

  /** Plays one pass; returns how many messages it read. */
  private async play(clock: Clock, pass: Pass): Promise<number> {
    const { iterator } = pass;
    let result = pass.first;
    let firstNs: bigint | undefined;
    const startMono = clock.monoMs();
    const startEpochMs = clock.nowMs();
    let count = 0;
    try {
      while (result.done !== true && !this.stopped) {
        const m = result.value;
        firstNs ??= m.logTimeNs;
        const offsetMs = Number(m.logTimeNs - firstNs) / 1e6 / this.speed;
        const waitMs = startMono + offsetMs - clock.monoMs();
        if (waitMs > 0) await this.sleep(clock, waitMs);
        if (this.isStopped()) break;
        count++;
        this.publish(m, startEpochMs + offsetMs);
        result = await iterator.next();
      }
    } finally {
      if (result.done !== true) await iterator.return?.();
    }
    return count;
  }

  /** Read through a method: `stop()` flips the flag while a replay awaits, which narrowing cannot see. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private publish(m: BagMessage, logStampMs: number): void {
    const sink = this.sink;
    const decode = this.decode;
    if (sink === undefined || decode === undefined) return;
    let ros: Record<string, unknown>;
    try {
      ros = decode(m.data);
    } catch (error) {
      sink.reject(error instanceof BagError ? error.code : 'bag.decode_failed', String(error));
      return;
    }
    const logMs = Number(m.logTimeNs / 1000n) / 1000;
    sink.push(ros, (headerMs) => {
      // Keep the sensor's own latency (log time - header stamp), scaled like every bag interval.
      const latencyMs = headerMs === undefined ? 0 : logMs - headerMs;
      return Math.abs(latencyMs) > MAX_STAMP_LATENCY_MS ? logStampMs : logStampMs - latencyMs / this.speed;
    });
  }

  private sleep(clock: Clock, delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, delayMs);
      this.pending = { timer, resolve };
    });
  }
}
