import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  batteryTopic,
  decisionsTopic,
  detectionsTopic,
  eventsTopic,
  healthTopic,
  linkTopic,
  operatorTopic,
  poseTopic,
  reliable,
  targetsTopic,
  type BatteryState,
  type Component,
  type ComponentContext,
  type Envelope,
  type PoseEstimate,
  type Subscription,
  type TimerHandle,
  type Topic,
} from '../runtime/index.js';
import type { Telemetry } from '../missions/index.js';
import { CommandChannel } from './commands/channel.js';
import { operatorKeysFromConfig } from './commands/keys.js';
import { TelemetryError } from './errors.js';
import { MqttLink } from './link.js';
import type { QueueStats, QueueStore, RecordInput } from './queue/record.js';
import { SqliteQueueStore } from './queue/sqlite-store.js';
import { TelemetryQueue } from './queue/telemetry-queue.js';
import { robotTopics, STREAM_PRIORITY, type RobotTopics, type StateData, type StreamName } from './topics.js';

export interface TelemetryComponentOptions {
  readonly spec: Telemetry;
  readonly robotId: string;
  /** Relative paths in `spec` (buffer.dir, TLS files) resolve against this. */
  readonly baseDir: string;
  /** Default: the SQLite store in `spec.buffer.dir`. */
  readonly store?: QueueStore;
  /** Where env var names in `spec` are looked up. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reconnect jitter source. Default Math.random. */
  readonly random?: () => number;
  /** How long stop may spend delivering the backlog and saying goodbye, ms. Default 10000. */
  readonly stopTimeoutMs?: number;
}

/** Records from the bus wait at most this many before a commit is forced, whatever commitIntervalMs says. */
const MAX_PENDING_RECORDS = 1_000;
/** Part of the stop budget kept for the shutdown status and the disconnect. */
const STOP_GOODBYE_MS = 1_500;

/**
 * Telemetry as a runtime component: subscribes the runtime's topics, writes
 * every record to the disk queue (state thinned to `stateRateHz`), delivers
 * the queue over MQTT when a broker is configured and reachable, and runs the
 * operator command channel. Without a broker it only stores; it never fails
 * for want of one.
 */
export class TelemetryComponent implements Component {
  readonly name = 'telemetry';
  readonly stopTimeoutMs: number;
  private readonly topics: RobotTopics;
  private store: QueueStore | undefined;
  private queue: TelemetryQueue | undefined;
  private link: MqttLink | undefined;
  private channel: CommandChannel | undefined;
  private ctx: ComponentContext | undefined;
  private readonly subs: Subscription[] = [];
  private stateTimer: TimerHandle | undefined;
  private commitTimer: TimerHandle | undefined;
  private commitImmediate: NodeJS.Immediate | undefined;
  private pending: RecordInput[] = [];
  private pose: Envelope<PoseEstimate> | undefined;
  private battery: Envelope<BatteryState> | undefined;
  private stateDirty = false;
  private refusing = false;
  private tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  private password: string | undefined;

  constructor(private readonly options: TelemetryComponentOptions) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.topics = robotTopics(options.spec.topicPrefix, options.robotId);
  }

  /** The queue's counters (records waiting, bytes, evictions), once configured. */
  stats(): QueueStats | undefined {
    return this.queue?.stats() ?? this.store?.stats();
  }

  get linkUp(): boolean {
    return this.link?.isUp ?? false;
  }

  configure(ctx: ComponentContext): void {
    const { spec, env = process.env } = this.options;
    const broker = spec.broker;
    if (spec.commands !== undefined) {
      this.channel = new CommandChannel({
        robotId: this.options.robotId,
        operators: operatorKeysFromConfig(spec.commands.operators, env),
        ...(spec.commands.maxTtlMs === undefined ? {} : { maxTtlMs: spec.commands.maxTtlMs }),
        ...(spec.commands.maxClockSkewMs === undefined ? {} : { maxClockSkewMs: spec.commands.maxClockSkewMs }),
      });
    }
    if (broker?.passwordEnv !== undefined) {
      this.password = env[broker.passwordEnv];
      if (this.password === undefined) {
        throw new TelemetryError(
          'telemetry.config',
          `environment variable ${broker.passwordEnv} (broker password) is not set`,
        );
      }
    }
    const read = (file: string | undefined, what: string): Buffer | undefined => {
      if (file === undefined) return undefined;
      try {
        return readFileSync(this.path(file));
      } catch (error) {
        throw new TelemetryError('telemetry.config', `cannot read ${what} ${file}`, { cause: error });
      }
    };
    const ca = read(broker?.caFile, 'CA certificate');
    const cert = read(broker?.certFile, 'client certificate');
    const key = read(broker?.keyFile, 'client key');
    this.tls = {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    };
    this.store =
      this.options.store ??
      new SqliteQueueStore({
        dir: this.path(spec.buffer.dir),
        maxBytes: spec.buffer.maxMb * 1024 * 1024,
        ...(spec.buffer.sync === undefined ? {} : { sync: spec.buffer.sync }),
      });
    const backlog = this.store.stats();
    if (backlog.records > 0)
      ctx.logger.info({ records: backlog.records, bytes: backlog.bytes }, 'telemetry backlog from an earlier run');
  }

  start(ctx: ComponentContext): void {
    const { spec, robotId } = this.options;
    const store = this.store;
    if (store === undefined) throw new TelemetryError('telemetry.config', 'telemetry started before it was configured');
    this.ctx = ctx;
    const broker = spec.broker;
    if (broker !== undefined) {
      this.link = new MqttLink({
        url: broker.url,
        clientId: broker.clientId ?? `kestrel-${robotId}`,
        robotId,
        topics: this.topics,
        clock: ctx.clock,
        logger: ctx.logger,
        keepaliveS: broker.keepaliveS,
        ...(broker.username === undefined ? {} : { username: broker.username }),
        ...(this.password === undefined ? {} : { password: this.password }),
        ...this.tls,
        ...(broker.reconnectMinMs === undefined ? {} : { reconnectMinMs: broker.reconnectMinMs }),
        ...(broker.reconnectMaxMs === undefined ? {} : { reconnectMaxMs: broker.reconnectMaxMs }),
        ...(this.options.random === undefined ? {} : { random: this.options.random }),
      });
    }
    const link = this.link;
    const queue = new TelemetryQueue({
      store,
      robotId,
      topics: this.topics,
      clock: ctx.clock,
      logger: ctx.logger,
      recordsQos: spec.qos.records,
      stateQos: spec.qos.state,
      ...(spec.stateExpiryS === undefined ? {} : { stateExpiryS: spec.stateExpiryS }),
      ...(link === undefined ? {} : { link }),
    });
    this.queue = queue;

    this.record(ctx, detectionsTopic, 'detections');
    this.record(ctx, targetsTopic, 'targets');
    this.record(ctx, healthTopic, 'health');
    this.record(ctx, decisionsTopic, 'decisions');
    this.record(ctx, eventsTopic, 'events');
    // State is sampled, not recorded: only the newest pose and battery matter, at stateRateHz.
    this.subs.push(
      ctx.bus.subscribe(
        poseTopic,
        (m) => {
          this.pose = m;
          this.stateDirty = true;
        },
        { subscriber: this.name },
      ),
      ctx.bus.subscribe(
        batteryTopic,
        (m) => {
          this.battery = m;
          this.stateDirty = true;
        },
        { subscriber: this.name },
      ),
    );
    this.stateTimer = ctx.clock.setInterval(() => this.sampleState(ctx), 1000 / spec.stateRateHz);

    if (link === undefined) {
      ctx.logger.info({ dir: spec.buffer.dir }, 'no broker configured: telemetry is stored on disk only');
      return;
    }
    link.on({
      up: () => {
        queue.linkUp();
        ctx.health.ok();
        if (!ctx.bus.isClosed) ctx.bus.publish(linkTopic, { up: true, peer: broker?.url ?? '' });
      },
      down: (reason) => {
        queue.linkDown();
        ctx.health.degraded(`telemetry link down (${reason}); buffering to disk`, 'telemetry.link_down');
        if (!ctx.bus.isClosed) ctx.bus.publish(linkTopic, { up: false, peer: broker?.url ?? '' });
      },
      message: (topic, payload) => this.onCommand(ctx, topic, payload),
    });
    if (this.channel !== undefined) link.subscribe(this.topics.commandFilter, 1);
    link.start();
  }

  async stop(reason: string): Promise<void> {
    const ctx = this.ctx;
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    this.stateTimer?.cancel();
    this.commitTimer?.cancel();
    if (this.commitImmediate !== undefined) clearImmediate(this.commitImmediate);
    if (ctx !== undefined && this.stateDirty) this.sampleState(ctx);
    this.commit();
    const queue = this.queue;
    const link = this.link;
    // A simulated clock runs ahead of the broker's real acknowledgements; its backlog waits on disk.
    if (queue !== undefined && link?.isUp === true && ctx?.clock.kind === 'wall') {
      const budgetMs = Math.max(0, this.stopTimeoutMs - STOP_GOODBYE_MS);
      const drained = await queue.drained(budgetMs);
      if (!drained)
        ctx.logger.warn(
          { backlog: queue.stats().records, reason },
          'telemetry backlog left on disk for the next start',
        );
    }
    await link?.stop(STOP_GOODBYE_MS / 2);
    if (queue !== undefined) queue.close();
    else this.store?.close();
  }

  private path(file: string): string {
    return isAbsolute(file) ? file : resolve(this.options.baseDir, file);
  }

  private record<T>(ctx: ComponentContext, topic: Topic<T>, stream: StreamName): void {
    const priority = STREAM_PRIORITY[stream];
    this.subs.push(
      ctx.bus.subscribe(
        topic,
        (m) => this.push({ stream, priority, stampMs: m.stampMs, data: JSON.stringify(m.data) }),
        {
          subscriber: this.name,
          // Every record must reach the disk queue; the handler only appends to an array.
          policy: reliable(),
        },
      ),
    );
  }

  private sampleState(ctx: ComponentContext): void {
    if (!this.stateDirty) return;
    this.stateDirty = false;
    const state: StateData = {};
    const p = this.pose;
    if (p !== undefined) {
      const d = p.data;
      state.pose = {
        frameId: d.frameId,
        positionM: d.positionM,
        orientation: d.orientation,
        yawRad: d.yawRad,
        linearVelocityMps: d.linearVelocityMps,
        yawRateRps: d.yawRateRps,
        source: d.source,
        stampMs: p.stampMs,
      };
    }
    const b = this.battery;
    if (b !== undefined) {
      state.battery = {
        percent: b.data.percent,
        voltageV: b.data.voltageV,
        currentA: b.data.currentA,
        stampMs: b.stampMs,
      };
    }
    this.push({ stream: 'state', priority: 'state', stampMs: ctx.clock.nowMs(), data: JSON.stringify(state) });
  }

  private push(input: RecordInput): void {
    this.pending.push(input);
    if (this.pending.length >= MAX_PENDING_RECORDS) {
      this.commit();
      return;
    }
    if (this.commitTimer !== undefined || this.commitImmediate !== undefined) return;
    const intervalMs = this.options.spec.buffer.commitIntervalMs ?? 0;
    // Group commit: one fsync per event-loop turn (or per interval), not per record.
    if (intervalMs === 0) this.commitImmediate = setImmediate(() => this.commit());
    else if (this.ctx !== undefined) this.commitTimer = this.ctx.clock.setTimeout(() => this.commit(), intervalMs);
  }

  private commit(): void {
    this.commitTimer = undefined;
    this.commitImmediate = undefined;
    const queue = this.queue;
    const ctx = this.ctx;
    if (queue === undefined || ctx === undefined || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    let result;
    try {
      result = queue.append(batch);
    } catch (error) {
      ctx.logger.error({ err: error, records: batch.length }, 'telemetry records could not be stored');
      ctx.health.failed('telemetry disk queue failed', 'telemetry.store_failed');
      return;
    }
    const evicted = result.evicted.state + result.evicted.record;
    if (evicted > 0) ctx.logger.debug({ evicted: result.evicted }, 'telemetry queue at its bound: evicted');
    if (result.refused.length > 0 && !this.refusing) {
      this.refusing = true;
      ctx.logger.warn(
        { refused: result.refused.length, stats: queue.stats() },
        'telemetry queue full of safety records: refusing others',
      );
      ctx.health.degraded('telemetry queue full; only safety records are kept', 'telemetry.queue_full');
    } else if (result.refused.length === 0 && this.refusing) {
      this.refusing = false;
      if (this.link === undefined || this.link.isUp) ctx.health.ok();
    }
  }

  private onCommand(ctx: ComponentContext, topic: string, payload: Buffer): void {
    const channel = this.channel;
    const link = this.link;
    const prefix = `${this.topics.base}/cmd/`;
    if (channel === undefined || link === undefined || !topic.startsWith(prefix)) return;
    const kind = topic.slice(prefix.length);
    if (kind === 'ack') return;
    const verdict = channel.handle(kind, payload, ctx.clock.nowMs());
    const ack = verdict.ack;
    if (verdict.accepted) {
      ctx.logger.info({ operator: ack.operator, commandId: ack.commandId, kind }, 'operator command accepted');
      if (!ctx.bus.isClosed) {
        ctx.bus.publish(operatorTopic, verdict.message);
        // An authenticated command is the ground station being heard from.
        ctx.bus.publish(linkTopic, { up: true, peer: `operator/${verdict.message.operator}` });
      }
    } else {
      ctx.logger.warn(
        { operator: ack.operator, commandId: ack.commandId, kind, code: ack.code, reason: ack.reason },
        'operator command rejected',
      );
    }
    link.publish(this.topics.commandAck, JSON.stringify(ack), { qos: 1 }).catch((error: unknown) => {
      ctx.logger.warn({ err: error, commandId: ack.commandId }, 'command ack not delivered');
    });
  }
}
