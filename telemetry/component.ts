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
import { PAYLOAD_MARKING } from './encoding.js';
import { TelemetryError } from './errors.js';
import { MqttLink } from './link.js';
import type { Priority, QueueStats, QueueStore, RecordInput } from './queue/record.js';
import { SqliteQueueStore } from './queue/sqlite-store.js';
import { TelemetryQueue } from './queue/telemetry-queue.js';
import {
  robotTopics,
  STREAM_PRIORITY,
  type QueueHealth,
  type RobotTopics,
  type StateData,
  type StreamName,
} from './topics.js';

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
/** Defaults of `telemetry.queueHealth`. */
const DEFAULT_REPORT_INTERVAL_S = 10;
const DEFAULT_MAX_PERCENT = 80;
/**
 * A degraded health whose cause is unchanged is re-issued with fresh figures at
 * most this often (mission time): each change is a log line and a health
 * record, and a long outage must not flood either.
 */
const HEALTH_REFRESH_MS = 60_000;

interface HealthCause {
  readonly code: string;
  readonly reason: string;
}

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
  private storeFailed = false;
  private linkDown: string | undefined;
  private lastEvictionMs: number | undefined;
  /** Store counters at the previous queue-health report. */
  private reported = { evicted: 0, refused: 0 };
  /** The degraded cause last issued, and when (for HEALTH_REFRESH_MS). */
  private issued: { code: string; atMs: number } | undefined;
  private reportTimer: TimerHandle | undefined;
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

  /** Why the broker refused the last connection attempt (credentials, certificates), until one succeeds. */
  get linkRefusal(): TelemetryError | undefined {
    return this.link?.lastRefusal;
  }

  /**
   * Queue depth, bytes, oldest pending age and what the bound evicted since
   * the last report, once started. The same figures go out on
   * `<prefix>/<robot>/health` every `queueHealth.reportIntervalS`.
   */
  queueHealth(): QueueHealth | undefined {
    const queue = this.queue;
    const ctx = this.ctx;
    if (queue === undefined || ctx === undefined) return undefined;
    const st = queue.stats();
    const oldest = queue.oldestStampMs();
    return {
      records: st.records,
      bytes: st.bytes,
      maxBytes: st.maxBytes,
      oldestPendingAgeMs: oldest === undefined ? 0 : Math.max(0, ctx.clock.nowMs() - oldest),
      evictedSinceLastReport: evictedTotal(st) - this.reported.evicted,
      refusedSinceLastReport: st.refused - this.reported.refused,
      linkUp: this.link?.isUp ?? false,
    };
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
        ...(spec.encoding === undefined ? {} : { encoding: spec.encoding }),
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
      ...(spec.encoding === undefined ? {} : { encoding: spec.encoding }),
      ...(link === undefined ? {} : { link }),
    });
    this.queue = queue;
    const st = queue.stats();
    this.reported = { evicted: evictedTotal(st), refused: st.refused };
    const reportS = spec.queueHealth?.reportIntervalS ?? DEFAULT_REPORT_INTERVAL_S;
    this.reportTimer = ctx.clock.setInterval(() => this.reportQueue(ctx), reportS * 1000);

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
        this.linkDown = undefined;
        this.updateHealth(ctx);
        if (!ctx.bus.isClosed) ctx.bus.publish(linkTopic, { up: true, peer: broker?.url ?? '' });
      },
      down: (reason) => {
        queue.linkDown();
        this.linkDown = reason;
        this.updateHealth(ctx);
        if (!ctx.bus.isClosed) ctx.bus.publish(linkTopic, { up: false, peer: broker?.url ?? '' });
      },
      // Credentials or certificates: nothing a retry fixes, so the operator hears of it at once.
      refused: () => this.updateHealth(ctx),
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
    this.reportTimer?.cancel();
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
      this.storeFailed = true;
      ctx.health.failed('telemetry disk queue failed', 'telemetry.store_failed');
      return;
    }
    const evicted = result.evicted.state + result.evicted.record;
    let changed = false;
    if (evicted > 0) {
      ctx.logger.debug({ evicted: result.evicted }, 'telemetry queue at its bound: evicted');
      changed = this.lastEvictionMs === undefined;
      this.lastEvictionMs = ctx.clock.nowMs();
    }
    if (result.refused.length > 0 && !this.refusing) {
      this.refusing = true;
      changed = true;
      ctx.logger.warn(
        { refused: result.refused.length, stats: queue.stats() },
        'telemetry queue full of safety records: refusing others',
      );
    } else if (result.refused.length === 0 && this.refusing) {
      this.refusing = false;
      changed = true;
    }
    if (changed) this.updateHealth(ctx);
  }

  /** Checks the queue against `queueHealth`, updates health, and publishes the figures on the health stream. */
  private reportQueue(ctx: ComponentContext): void {
    // What the bus gave this turn counts in the figures.
    this.commit();
    const queue = this.queue;
    const q = this.queueHealth();
    if (queue === undefined || q === undefined || this.storeFailed) return;
    const reportMs = (this.options.spec.queueHealth?.reportIntervalS ?? DEFAULT_REPORT_INTERVAL_S) * 1000;
    // The bound counts as evicting until a whole report interval passes without an eviction.
    if (this.lastEvictionMs !== undefined && ctx.clock.nowMs() - this.lastEvictionMs >= reportMs)
      this.lastEvictionMs = undefined;
    this.updateHealth(ctx, q);
    const h = ctx.health.current();
    const report: RecordInput = {
      stream: 'health',
      priority: STREAM_PRIORITY.health,
      stampMs: ctx.clock.nowMs(),
      data: JSON.stringify({
        component: this.name,
        state: h.state,
        ...(h.reason === undefined ? {} : { reason: h.reason }),
        ...(h.code === undefined ? {} : { code: h.code }),
        sinceMs: h.sinceMs,
        queue: q,
      }),
    };
    try {
      queue.append([report]);
    } catch (error) {
      ctx.logger.warn({ err: error }, 'telemetry queue report could not be stored');
    }
    // Counted after the report went in: at a full bound the report itself evicts a record, and that
    // must not keep the queue "evicting" when nothing else arrives.
    const st = queue.stats();
    this.reported = { evicted: evictedTotal(st), refused: st.refused };
  }

  /** Sets health from the first cause that holds (link, then queue), or ok when none does. */
  private updateHealth(ctx: ComponentContext, q: QueueHealth | undefined = this.queueHealth()): void {
    // A failed store stays failed: nothing here can repair it.
    if (this.storeFailed || q === undefined) return;
    const cause = this.healthCause(q);
    if (cause === undefined) {
      this.issued = undefined;
      ctx.health.ok();
      return;
    }
    const now = ctx.clock.nowMs();
    if (this.issued?.code === cause.code && now - this.issued.atMs < HEALTH_REFRESH_MS) return;
    this.issued = { code: cause.code, atMs: now };
    ctx.health.degraded(cause.reason, cause.code);
  }

  private healthCause(q: QueueHealth): HealthCause | undefined {
    const link = this.link;
    const figures = describeQueue(q);
    const refusal = link?.lastRefusal;
    if (link !== undefined && !link.isUp && refusal !== undefined)
      return { code: refusal.code, reason: `${refusal.message}; buffering to disk (${figures})` };
    if (link !== undefined && !link.isUp && this.linkDown !== undefined)
      return {
        code: 'telemetry.link_down',
        reason: `telemetry link down (${this.linkDown}); buffering to disk (${figures})`,
      };
    if (this.refusing)
      return {
        code: 'telemetry.queue_full',
        reason: `telemetry queue full; only safety records are kept (${figures})`,
      };
    if (this.lastEvictionMs !== undefined)
      return {
        code: 'telemetry.queue_evicting',
        reason: `telemetry queue at its bound: evicting state, then records (${figures})`,
      };
    const limits = this.options.spec.queueHealth;
    const over: string[] = [];
    if (limits?.maxRecords !== undefined && q.records > limits.maxRecords)
      over.push(`more than ${limits.maxRecords} records`);
    const maxPercent = limits?.maxPercent ?? DEFAULT_MAX_PERCENT;
    if (q.maxBytes > 0 && (q.bytes / q.maxBytes) * 100 > maxPercent) over.push(`over ${maxPercent}% of the bound`);
    if (limits?.maxPendingAgeS !== undefined && q.oldestPendingAgeMs > limits.maxPendingAgeS * 1000)
      over.push(`oldest older than ${limits.maxPendingAgeS} s`);
    if (over.length > 0)
      return { code: 'telemetry.queue_backlog', reason: `telemetry queue backlog: ${over.join(', ')} (${figures})` };
    return undefined;
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
    link
      .publish(this.topics.commandAck, JSON.stringify(ack), { qos: 1, ...PAYLOAD_MARKING.json })
      .catch((error: unknown) => {
        ctx.logger.warn({ err: error, commandId: ack.commandId }, 'command ack not delivered');
      });
  }
}

function evictedTotal(st: QueueStats): number {
  let n = 0;
  for (const p of Object.keys(st.evicted) as Priority[]) n += st.evicted[p];
  return n;
}

/** `1234 records, 3.2 of 256.0 MiB, oldest 42 s`: for health reasons and logs. */
function describeQueue(q: QueueHealth): string {
  const mib = (b: number): string => (b / (1024 * 1024)).toFixed(1);
  return `${q.records} records, ${mib(q.bytes)} of ${mib(q.maxBytes)} MiB, oldest ${Math.round(q.oldestPendingAgeMs / 1000)} s`;
}
