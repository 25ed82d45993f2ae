import {
  batteryTopic,
  decisionsTopic,
  eventsTopic,
  poseTopic,
  reliable,
  type Clock,
  type Decision,
  type LatencyReport,
  type MessageBus,
  type Subscription,
} from '../runtime/index.js';
import type { CliIo } from './io.js';
import type { ProcessResources } from './process-resources.js';

export interface RunSummary {
  readonly simulated: boolean;
  readonly elapsedS: number;
  readonly decisions: { readonly allow: number; readonly modify: number; readonly deny: number };
  /** Denials by code, most frequent first. */
  readonly denials: readonly { readonly code: string; readonly count: number; readonly lastReason: string }[];
  readonly lastPose?: { readonly x: number; readonly y: number; readonly z: number };
  readonly batteryPct?: number;
  readonly events: number;
  /** The behavior's last phase. */
  readonly phase?: string;
  readonly fires: FireCounts;
  /** Frame-to-decision latency, when the runtime traced it. */
  readonly latency?: LatencyReport;
  /** Peak memory and CPU of the process that ran the mission (`kestrel run`). */
  readonly process?: ProcessResources;
}

/** What the behavior said about fires, counted from its events. */
export interface FireCounts {
  readonly found: number;
  /** Fires that got at least one burst. */
  readonly suppressed: number;
  readonly bursts: number;
  readonly out: number;
  readonly stillBurning: number;
}

/**
 * Watches the bus and prints one status line per interval of mission time:
 * where the robot is, battery, guard verdicts and the latest denial reason,
 * so an operator sees the guard at work without reading logs.
 */
export class ProgressReporter {
  private readonly subs: Subscription[] = [];
  private readonly denials = new Map<string, { count: number; lastReason: string }>();
  private readonly counts = { allow: 0, modify: 0, deny: 0 };
  private pose: { x: number; y: number; z: number } | undefined;
  private batteryPct: number | undefined;
  private events = 0;
  private lastDenial: Decision | undefined;
  private readonly startMs: number;
  private phase: string | undefined;
  private readonly fires = { found: 0, suppressed: 0, bursts: 0, out: 0, stillBurning: 0 };
  private readonly suppressedIds = new Set<string>();

  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly io: CliIo,
    private readonly quiet: boolean,
    private readonly latency: () => LatencyReport | undefined = () => undefined,
  ) {
    this.startMs = clock.monoMs();
    this.subs.push(
      bus.subscribe(
        poseTopic,
        (m) => {
          this.pose = { x: m.data.positionM.x, y: m.data.positionM.y, z: m.data.positionM.z };
        },
        { subscriber: 'cli-progress' },
      ),
      bus.subscribe(
        batteryTopic,
        (m) => {
          this.batteryPct = m.data.percent;
        },
        { subscriber: 'cli-progress' },
      ),
      bus.subscribe(decisionsTopic, (m) => this.onDecision(m.data), { policy: reliable(), subscriber: 'cli-progress' }),
      bus.subscribe(
        eventsTopic,
        (m) => {
          this.events++;
          this.onEvent(m.data.kind, m.data.data);
          if (!this.quiet && m.data.severity !== 'info')
            this.io.err(`[${this.stamp()}] ${m.data.severity}: ${m.data.message}\n`);
        },
        { policy: reliable(), subscriber: 'cli-progress' },
      ),
    );
  }

  /** One status line now. */
  tick(): void {
    if (this.quiet) return;
    const p =
      this.pose === undefined
        ? 'pose ?'
        : `pos (${this.pose.x.toFixed(1)}, ${this.pose.y.toFixed(1)}, ${this.pose.z.toFixed(1)}) m`;
    const b = this.batteryPct === undefined ? '' : `  battery ${this.batteryPct.toFixed(0)}%`;
    const d = `  guard ${this.counts.allow} ok / ${this.counts.modify} clamped / ${this.counts.deny} denied`;
    const last =
      this.lastDenial === undefined ? '' : `  last denial: ${this.lastDenial.code} (${this.lastDenial.reason})`;
    const phase = this.phase === undefined ? '' : `${this.phase}  `;
    const f = this.fires;
    const fires = f.found === 0 ? '' : `  fires ${f.found} found / ${f.suppressed} suppressed / ${f.out} out`;
    const l = this.latency();
    const lat =
      l === undefined || l.workMs.count === 0
        ? ''
        : `  latency p50 ${l.workMs.p50.toFixed(1)} / p99 ${l.workMs.p99.toFixed(1)} ms`;
    this.io.err(`[${this.stamp()}] ${phase}${p}${b}${fires}${d}${lat}${last}\n`);
    this.lastDenial = undefined;
  }

  summary(simulated: boolean): RunSummary {
    const latency = this.latency();
    return {
      simulated,
      elapsedS: (this.clock.monoMs() - this.startMs) / 1000,
      decisions: { ...this.counts },
      denials: [...this.denials.entries()]
        .map(([code, v]) => ({ code, count: v.count, lastReason: v.lastReason }))
        .sort((a, b) => b.count - a.count),
      ...(this.pose === undefined ? {} : { lastPose: this.pose }),
      ...(this.batteryPct === undefined ? {} : { batteryPct: this.batteryPct }),
      events: this.events,
      ...(this.phase === undefined ? {} : { phase: this.phase }),
      fires: { ...this.fires },
      ...(latency === undefined ? {} : { latency }),
    };
  }

  private onEvent(kind: string, data: Readonly<Record<string, unknown>> | undefined): void {
    if (kind === 'behavior.phase' && typeof data?.['phase'] === 'string') this.phase = data['phase'];
    else if (kind === 'behavior.fire_found') this.fires.found++;
    else if (kind === 'behavior.fire_out') this.fires.out++;
    else if (kind === 'behavior.fire_not_out') this.fires.stillBurning++;
    else if (kind === 'behavior.suppress') {
      this.fires.bursts++;
      const id = typeof data?.['fire'] === 'string' ? data['fire'] : '';
      if (!this.suppressedIds.has(id)) {
        this.suppressedIds.add(id);
        this.fires.suppressed++;
      }
    }
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  private onDecision(d: Decision): void {
    this.counts[d.verdict]++;
    if (d.verdict === 'deny') {
      const entry = this.denials.get(d.code) ?? { count: 0, lastReason: '' };
      entry.count++;
      entry.lastReason = d.reason;
      this.denials.set(d.code, entry);
      this.lastDenial = d;
    }
  }

  private stamp(): string {
    return `t+${((this.clock.monoMs() - this.startMs) / 1000).toFixed(1)}s`;
  }
}
