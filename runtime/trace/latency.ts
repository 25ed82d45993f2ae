import type { HandlerTiming } from '../bus/bus.js';
import { reliable } from '../bus/policy.js';
import type { Envelope } from '../bus/topic.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Component, ComponentContext } from '../component.js';
import { defineService } from '../services.js';
import type { ActionProposal, Decision } from '../messages/actions.js';
import { decisionsTopic } from '../messages/actions.js';
import { detectionsTopic } from '../messages/topics.js';
import type { Subscription } from '../bus/bus.js';

/** The stages of one frame's way to a decision, in order. */
export const LATENCY_STAGES = ['preprocess', 'inference', 'decode', 'track', 'fuse', 'behavior', 'guard'] as const;
export type LatencyStage = (typeof LATENCY_STAGES)[number];

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Frame-to-decision latency of one run. `stages` and `workMs` are compute
 * time (wall ms spent in each stage on the frame a decision came from, the
 * cost the CPU pays whatever the clock); `ageMs` is the frame's age when the
 * guard decided, in the runtime's clock (sim time in a simulated run), which
 * adds the waits between stages (the world model publishes at 2 Hz, the
 * behavior ticks at 5 Hz).
 */
export interface LatencyReport {
  readonly decisions: number;
  readonly stages: Readonly<Record<LatencyStage, Percentiles>>;
  readonly workMs: Percentiles;
  readonly ageMs: Percentiles;
}

export interface LatencyTracerOptions {
  /** Work stopwatch, ms. Default `performance.now`: stage costs are real time even under a SimClock. */
  readonly stopwatch?: () => number;
  /** Subscribers of `perception/detections` whose handler time is the fuse stage. Default ['target-localiser']. */
  readonly fuseSubscribers?: readonly string[];
  /** Subscribers of `control/proposals` whose handler time is the guard stage. Default ['guard']. */
  readonly guardSubscribers?: readonly string[];
  /** Samples kept per stage (a ring: a 30-minute soak stays bounded). Default 8192. */
  readonly window?: number;
}

/** Where the behavior reports what its decision step cost. */
export const latencyService = defineService<LatencyTracer>('runtime.latency');

interface FrameCost {
  preprocess: number;
  inference: number;
  decode: number;
  track: number;
  fuse: number;
}

const FRAMES_KEPT = 256;
const PROPOSALS_KEPT = 256;

/** A fixed ring of samples: bounded memory, percentiles over the last `size`. */
class SampleRing {
  private readonly data: Float64Array;
  private n = 0;
  private next = 0;

  constructor(size: number) {
    this.data = new Float64Array(size);
  }

  push(v: number): void {
    this.data[this.next] = v;
    this.next = (this.next + 1) % this.data.length;
    if (this.n < this.data.length) this.n++;
  }

  clear(): void {
    this.n = 0;
    this.next = 0;
  }

  percentiles(): Percentiles {
    if (this.n === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
    const sorted = this.data.slice(0, this.n).sort();
    const at = (q: number): number => nearestRank(sorted, q);
    return { count: this.n, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[this.n - 1] ?? 0) };
  }
}

/** Nearest-rank quantile (0..1) of ascending values; 0 for none. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Traces every decision back to the camera frame it came from (the proposal's
 * `basis.frameStampMs`) and books the cost of each stage on the way:
 * preprocess, inference and decode as the detector timed them, track as the
 * pipeline timed it, fuse and guard as the bus timed their handlers, behavior
 * as the behavior timed its step. Runs as an observer component; its bus
 * hook is `handlerTiming`.
 */
export class LatencyTracer implements Component {
  readonly name = 'latency-tracer';
  readonly handlerTiming: HandlerTiming;
  private readonly stopwatch: () => number;
  private readonly frames = new Map<number, FrameCost>();
  private readonly behaviorMs = new Map<string, number>();
  private readonly guardMs = new Map<string, number>();
  private readonly rings: Record<LatencyStage, SampleRing>;
  private readonly work: SampleRing;
  private readonly age: SampleRing;
  private decisions = 0;
  private readonly subs: Subscription[] = [];
  private readonly fuseSubs: ReadonlySet<string>;
  private readonly guardSubs: ReadonlySet<string>;

  constructor(options: LatencyTracerOptions = {}) {
    this.stopwatch = options.stopwatch ?? (() => performance.now());
    this.fuseSubs = new Set(options.fuseSubscribers ?? ['target-localiser']);
    this.guardSubs = new Set(options.guardSubscribers ?? ['guard']);
    const size = options.window ?? 8192;
    this.rings = Object.fromEntries(LATENCY_STAGES.map((s) => [s, new SampleRing(size)])) as Record<
      LatencyStage,
      SampleRing
    >;
    this.work = new SampleRing(size);
    this.age = new SampleRing(size);
    this.handlerTiming = {
      now: this.stopwatch,
      wants: (topic, subscriber) =>
        (topic === detectionsTopic.name && this.fuseSubs.has(subscriber)) ||
        (topic === 'control/proposals' && this.guardSubs.has(subscriber)),
      record: (topic, _subscriber, ms, envelope) => this.onHandled(topic, ms, envelope),
    };
  }

  /** The stopwatch the behavior times its step with. */
  now(): number {
    return this.stopwatch();
  }

  configure(ctx: ComponentContext): void {
    ctx.services.provide(latencyService, this);
  }

  start(ctx: ComponentContext): void {
    const me = { subscriber: this.name, policy: reliable() };
    this.subs.push(
      ctx.bus.subscribe(
        detectionsTopic,
        (m) => {
          const l = m.data.latencyMs;
          const cost = this.frame(m.data.frameStampMs);
          cost.preprocess = l['preprocess'] ?? 0;
          cost.inference = l['inference'] ?? 0;
          cost.decode = l['postprocess'] ?? l['decode'] ?? 0;
          cost.track = l['track'] ?? 0;
        },
        me,
      ),
      ctx.bus.subscribe(decisionsTopic, (m) => this.onDecision(m.data), me),
    );
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  /** The behavior's step that produced `proposalId` took `ms`. */
  recordBehavior(proposalId: string, ms: number): void {
    this.behaviorMs.set(proposalId, ms);
    trim(this.behaviorMs, PROPOSALS_KEPT);
  }

  /**
   * Starts a fresh window: later reports cover only decisions from now on.
   * For steady-state figures after warm-up (the first frames pay for JIT
   * compilation and cold caches). Costs already booked for frames in flight are kept.
   */
  restart(): void {
    for (const s of LATENCY_STAGES) this.rings[s].clear();
    this.work.clear();
    this.age.clear();
    this.decisions = 0;
  }

  report(): LatencyReport {
    const stages = Object.fromEntries(LATENCY_STAGES.map((s) => [s, this.rings[s].percentiles()])) as Record<
      LatencyStage,
      Percentiles
    >;
    return { decisions: this.decisions, stages, workMs: this.work.percentiles(), ageMs: this.age.percentiles() };
  }

  private frame(stampMs: number): FrameCost {
    let cost = this.frames.get(stampMs);
    if (cost === undefined) {
      cost = { preprocess: 0, inference: 0, decode: 0, track: 0, fuse: 0 };
      this.frames.set(stampMs, cost);
      trim(this.frames, FRAMES_KEPT);
    }
    return cost;
  }

  private onHandled(topic: string, ms: number, envelope: Envelope<unknown>): void {
    if (topic === detectionsTopic.name) {
      this.frame(envelope.stampMs).fuse += ms;
      return;
    }
    const id = (envelope.data as ActionProposal).id;
    this.guardMs.set(id, (this.guardMs.get(id) ?? 0) + ms);
    trim(this.guardMs, PROPOSALS_KEPT);
  }

  private onDecision(d: Decision): void {
    const stamp = d.basis?.frameStampMs;
    if (stamp === undefined) return;
    const frame = this.frames.get(stamp);
    if (frame === undefined) return;
    const behavior = this.behaviorMs.get(d.proposalId) ?? 0;
    const guard = this.guardMs.get(d.proposalId) ?? 0;
    this.decisions++;
    const costs: Record<LatencyStage, number> = { ...frame, behavior, guard };
    let total = 0;
    for (const s of LATENCY_STAGES) {
      this.rings[s].push(costs[s]);
      total += costs[s];
    }
    this.work.push(total);
    this.age.push(d.decidedAtMs - stamp);
  }
}

/** Drops the oldest entries of an insertion-ordered map beyond `max`. */
function trim<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const first = map.keys().next();
    if (first.done === true) return;
    map.delete(first.value);
  }
}

/**
 * A view of `clock` whose `monoMs` is a work stopwatch. Components that time
 * their own work with `clock.monoMs()` (the perception pipeline's stage
 * timings) report real cost under a SimClock, where simulated time does not
 * move while they compute; everything else (now, timers) is the clock's.
 */
export function workClock(clock: Clock, stopwatch: () => number): Clock {
  return {
    kind: clock.kind,
    nowMs: () => clock.nowMs(),
    monoMs: stopwatch,
    setTimeout: (fn: () => void, delayMs: number): TimerHandle => clock.setTimeout(fn, delayMs),
    setInterval: (fn: () => void, periodMs: number): TimerHandle => clock.setInterval(fn, periodMs),
    sleep: (delayMs: number) => clock.sleep(delayMs),
  };
}

/** Runs `component` with a work clock in its context (see `workClock`). */
export function withWorkClock(component: Component, stopwatch: () => number): Component {
  const view = (ctx: ComponentContext): ComponentContext => ({ ...ctx, clock: workClock(ctx.clock, stopwatch) });
  const wrapped: Component = {
    name: component.name,
    ...(component.dependsOn === undefined ? {} : { dependsOn: component.dependsOn }),
    ...(component.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: component.stopTimeoutMs }),
    start: (ctx) => component.start(view(ctx)),
    stop: (reason) => component.stop(reason),
  };
  if (component.configure !== undefined) {
    const configure = component.configure.bind(component);
    return { ...wrapped, configure: (ctx) => configure(view(ctx)) };
  }
  return wrapped;
}
