import type { Clock } from '../clock.js';
import { KestrelError } from '../errors.js';
import type { DeliveryPolicy } from './policy.js';
import { Ring } from './ring.js';
import type { Envelope, Topic } from './topic.js';

export class BusError extends KestrelError {}

export type Handler<T> = (message: Envelope<T>) => void | Promise<void>;

export interface SubscribeOptions {
  /** Default: `latest`. */
  readonly policy?: DeliveryPolicy;
  /** Who is subscribing, for stats and logs (usually the component name). */
  readonly subscriber?: string;
}

export interface SubscriptionStats {
  readonly topic: string;
  readonly subscriber: string;
  readonly policy: DeliveryPolicy['kind'];
  readonly delivered: number;
  readonly dropped: number;
  readonly errors: number;
  /** Messages waiting now. */
  readonly depth: number;
  /** Most messages ever waiting at once. */
  readonly maxDepth: number;
}

export interface TopicStats {
  readonly topic: string;
  readonly type: string;
  readonly published: number;
  readonly subscriptions: readonly SubscriptionStats[];
}

export interface Subscription {
  readonly topic: string;
  readonly subscriber: string;
  unsubscribe(): void;
  stats(): SubscriptionStats;
}

export interface HandlerErrorInfo {
  readonly topic: string;
  readonly subscriber: string;
  readonly error: unknown;
}

export interface BusOptions {
  readonly clock: Clock;
  /** Called when a handler throws or its promise rejects. The bus keeps delivering. */
  readonly onHandlerError?: (info: HandlerErrorInfo) => void;
  /** Called once each time a reliable queue crosses its warn depth. */
  readonly onBacklog?: (stats: SubscriptionStats) => void;
  /**
   * Measures how long each handler runs (its synchronous part), for latency
   * tracing. Absent: handlers are not timed and cost nothing extra.
   */
  readonly handlerTiming?: HandlerTiming;
}

/** Handler timing for latency tracing: `now` is a work stopwatch (wall ms), never the simulated clock. */
export interface HandlerTiming {
  readonly now: () => number;
  /** Whether a topic's handlers are timed at all (asked once per subscription). */
  readonly wants: (topic: string, subscriber: string) => boolean;
  readonly record: (topic: string, subscriber: string, ms: number, envelope: Envelope<unknown>) => void;
}

interface TopicState {
  readonly name: string;
  readonly type: string;
  seq: number;
  published: number;
  /** Replaced, never mutated, so a publish loop is safe against (un)subscribe from a handler. */
  subs: readonly Sub[];
}

class Sub implements Subscription {
  readonly ring = new Ring<Envelope<unknown>>(4);
  readonly bound: number;
  readonly warnDepth: number;
  timed = false;
  delivered = 0;
  dropped = 0;
  errors = 0;
  maxDepth = 0;
  busy = false;
  pending = false;
  closed = false;
  warned = false;

  constructor(
    readonly bus: MessageBus,
    readonly state: TopicState,
    readonly handler: Handler<unknown>,
    readonly policy: DeliveryPolicy,
    readonly subscriber: string,
  ) {
    this.bound = policy.kind === 'latest' ? 1 : policy.kind === 'queue' ? policy.depth : Infinity;
    this.warnDepth = policy.kind === 'reliable' ? (policy.warnDepth ?? Infinity) : Infinity;
  }

  get topic(): string {
    return this.state.name;
  }

  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    this.ring.clear();
    this.state.subs = this.state.subs.filter((s) => s !== this);
  }

  stats(): SubscriptionStats {
    return {
      topic: this.state.name,
      subscriber: this.subscriber,
      policy: this.policy.kind,
      delivered: this.delivered,
      dropped: this.dropped,
      errors: this.errors,
      depth: this.ring.size,
      maxDepth: this.maxDepth,
    };
  }
}

/**
 * The in-process message bus. Publishing never blocks on a subscriber:
 * messages are queued per subscription according to its policy and delivered
 * on a microtask, in publish order per subscription. A handler that returns a
 * promise gets its next message only after the promise settles, so an async
 * consumer sees one message at a time and its policy decides what piles up.
 *
 * Messages are passed by reference (image buffers are not copied); treat a
 * received message as read-only.
 */
export class MessageBus {
  private readonly topics = new Map<string, TopicState>();
  private readonly clock: Clock;
  private readonly onHandlerError: (info: HandlerErrorInfo) => void;
  private readonly onBacklog: (stats: SubscriptionStats) => void;
  private readonly timing: HandlerTiming | undefined;
  private readonly ready: Sub[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly flushBound = (): void => {
    this.flush();
  };

  constructor(options: BusOptions) {
    this.clock = options.clock;
    this.onHandlerError = options.onHandlerError ?? noop;
    this.onBacklog = options.onBacklog ?? noop;
    this.timing = options.handlerTiming;
  }

  /** Declares a topic's type. Publishing or subscribing declares it too. */
  declare(topic: Topic<unknown>): void {
    this.state(topic);
  }

  /**
   * Publishes `data` on `topic`, stamped with the source time `stampMs`
   * (default: the clock's now). Returns the message's sequence number.
   */
  publish<T>(topic: Topic<T>, data: T, stampMs?: number): number {
    if (this.closed) throw new BusError('bus.closed', `cannot publish on "${topic.name}": the bus is closed`);
    const state = this.state(topic);
    const seq = state.seq++;
    state.published++;
    const subs = state.subs;
    if (subs.length === 0) return seq;
    const envelope: Envelope<T> = {
      topic: state.name,
      data,
      stampMs: stampMs ?? this.clock.nowMs(),
      recvMonoMs: this.clock.monoMs(),
      seq,
    };
    for (let i = 0; i < subs.length; i++) this.enqueue(subs[i] as Sub, envelope);
    return seq;
  }

  subscribe<T>(topic: Topic<T>, handler: Handler<T>, options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new BusError('bus.closed', `cannot subscribe to "${topic.name}": the bus is closed`);
    const policy = options.policy ?? { kind: 'latest' };
    if (policy.kind === 'queue' && !(Number.isInteger(policy.depth) && policy.depth >= 1)) {
      throw new BusError('bus.bad_policy', `queue depth must be an integer >= 1, got ${policy.depth}`);
    }
    const state = this.state(topic);
    const sub = new Sub(this, state, handler as Handler<unknown>, policy, options.subscriber ?? 'anonymous');
    sub.timed = this.timing?.wants(state.name, sub.subscriber) ?? false;
    state.subs = [...state.subs, sub];
    return sub;
  }

  stats(): TopicStats[] {
    return [...this.topics.values()].map((t) => ({
      topic: t.name,
      type: t.type,
      published: t.published,
      subscriptions: t.subs.map((s) => s.stats()),
    }));
  }

  /** Resolves once every queued message has been delivered and no handler is running. */
  async drain(): Promise<void> {
    for (;;) {
      let idle = !this.flushScheduled;
      for (const t of this.topics.values()) {
        for (const s of t.subs) if (s.busy || s.ring.size > 0) idle = false;
      }
      if (idle) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Stops accepting messages, delivers what is queued, then drops all subscriptions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    for (const t of this.topics.values()) for (const s of t.subs) s.unsubscribe();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private state(topic: Topic<unknown>): TopicState {
    let state = this.topics.get(topic.name);
    if (state === undefined) {
      state = { name: topic.name, type: topic.type, seq: 0, published: 0, subs: [] };
      this.topics.set(topic.name, state);
    } else if (state.type !== topic.type) {
      throw new BusError('bus.type_conflict', `topic "${topic.name}" carries ${state.type}, not ${topic.type}`);
    }
    return state;
  }

  private enqueue(sub: Sub, envelope: Envelope<unknown>): void {
    if (sub.ring.pushBounded(envelope, sub.bound)) sub.dropped++;
    const depth = sub.ring.size;
    if (depth > sub.maxDepth) sub.maxDepth = depth;
    if (depth > sub.warnDepth && !sub.warned) {
      sub.warned = true;
      try {
        this.onBacklog(sub.stats());
      } catch {
        // Like a throwing error reporter: it must not cut this publish short for the other subscribers.
      }
    }
    if (!sub.busy && !sub.pending) {
      sub.pending = true;
      this.ready.push(sub);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(this.flushBound);
      }
    }
  }

  private flush(): void {
    // Handlers may publish; their subscriptions join `ready` and are served in this same pass.
    for (let i = 0; i < this.ready.length; i++) this.deliver(this.ready[i] as Sub);
    this.ready.length = 0;
    this.flushScheduled = false;
  }

  private deliver(sub: Sub): void {
    sub.pending = false;
    while (!sub.busy && !sub.closed) {
      const envelope = sub.ring.shift();
      if (envelope === undefined) break;
      if (sub.ring.size < sub.warnDepth) sub.warned = false;
      sub.delivered++;
      let result: void | Promise<void>;
      const timing = sub.timed ? this.timing : undefined;
      const t0 = timing === undefined ? 0 : timing.now();
      try {
        result = sub.handler(envelope);
      } catch (error) {
        this.fail(sub, error);
        continue;
      }
      if (timing !== undefined) timing.record(sub.topic, sub.subscriber, timing.now() - t0, envelope);
      if (result !== undefined && typeof (result as { then?: unknown }).then === 'function') {
        sub.busy = true;
        result.then(
          () => this.resume(sub),
          (error: unknown) => {
            this.fail(sub, error);
            this.resume(sub);
          },
        );
      }
    }
  }

  private resume(sub: Sub): void {
    sub.busy = false;
    if (sub.ring.size > 0 && !sub.pending && !sub.closed) {
      sub.pending = true;
      this.ready.push(sub);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(this.flushBound);
      }
    }
  }

  private fail(sub: Sub, error: unknown): void {
    sub.errors++;
    try {
      this.onHandlerError({ topic: sub.topic, subscriber: sub.subscriber, error });
    } catch {
      // An error reporter that throws must not stop delivery to everyone else.
    }
  }
}

function noop(): void {}
