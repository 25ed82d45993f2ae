import type { Logger } from '../../runtime/index.js';
import type { PublishOptions } from '../link.js';
import type { QueueRecord, QueueStore } from './record.js';

/** The part of the link the forwarder uses (the MQTT link, or a fake in tests). */
export interface Publisher {
  readonly isUp: boolean;
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
}

export interface WireMessage {
  readonly topic: string;
  readonly payload: string | Buffer;
  readonly options: PublishOptions;
}

export interface ForwarderOptions {
  readonly store: QueueStore;
  readonly link: Publisher;
  readonly encode: (record: QueueRecord) => WireMessage;
  readonly logger: Logger;
  /** Publishes awaiting their PUBACK at once. Default 256. */
  readonly windowSize?: number;
}

/**
 * Sends the queue to the broker in id order (hence in order per stream) with
 * a window of unacknowledged publishes, and deletes each record once the
 * broker acknowledges it. After a reconnect it starts again from the oldest
 * record still stored: anything in flight when the link dropped is sent again
 * (at least once; receivers drop duplicates by `(stream, seq)`), and the
 * stored order is kept because mqtt.js writes publishes to the socket in call
 * order and the broker forwards one client's messages in order.
 */
export class Forwarder {
  private readonly windowSize: number;
  /** Highest id handed to the link since the last (re)connect. */
  private cursor = 0;
  private inflight = 0;
  /** Bumped on every up/down: callbacks of an older connection no longer count against the window. */
  private generation = 0;
  private acks: number[] = [];
  private ackScheduled = false;
  private waiters: (() => void)[] = [];
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: ForwarderOptions) {
    this.windowSize = options.windowSize ?? 256;
  }

  /** Call after the link came up. */
  onUp(): void {
    this.generation++;
    this.cursor = 0;
    this.inflight = 0;
    this.kick();
  }

  /** Call after the link went down. */
  onDown(): void {
    this.generation++;
    this.inflight = 0;
  }

  /** Fills the window with the next stored records, if the link is up. */
  kick(): void {
    const { store, link, encode } = this.options;
    while (!this.stopped && link.isUp && this.inflight < this.windowSize) {
      const batch = store.peek(this.cursor, this.windowSize - this.inflight);
      if (batch.length === 0) break;
      for (const record of batch) {
        this.cursor = record.id;
        this.inflight++;
        const gen = this.generation;
        const wire = encode(record);
        link.publish(wire.topic, wire.payload, wire.options).then(
          () => this.delivered(record.id, gen),
          (error: unknown) => this.failed(record, gen, error),
        );
      }
    }
  }

  /** Publishes that failed while the link stayed up (they are retried after the next reconnect). */
  get failedPublishes(): number {
    return this.failures;
  }

  /** Resolves when the store holds nothing more (or at once when it is empty). */
  whenEmpty(): Promise<void> {
    if (this.isEmpty()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Writes pending acks, then ignores late acknowledgements (the store is about to close). */
  stop(): void {
    this.flushAcks();
    this.stopped = true;
  }

  /** Writes pending acks now (the forwarder otherwise batches them per event-loop turn). */
  flushAcks(): void {
    this.ackScheduled = false;
    if (this.acks.length === 0 || this.stopped) return;
    const ids = this.acks;
    this.acks = [];
    this.options.store.ack(ids);
    if (this.waiters.length > 0 && this.isEmpty()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  private isEmpty(): boolean {
    return this.options.store.stats().records === 0;
  }

  private delivered(id: number, gen: number): void {
    // Late PUBACKs after stop: the record stays on disk and is sent again next start (at least once).
    if (this.stopped) return;
    // Acked by the broker even if from an older connection: the record is delivered either way.
    this.acks.push(id);
    if (!this.ackScheduled) {
      this.ackScheduled = true;
      // One delete transaction per turn, not per PUBACK: a commit costs an fsync.
      setImmediate(() => {
        try {
          this.flushAcks();
        } catch (error) {
          this.options.logger.error({ err: error }, 'could not delete delivered telemetry records');
        }
      });
    }
    if (gen === this.generation) {
      this.inflight--;
      // Refill at half a window, not per PUBACK: one query fetches many records instead of one each.
      if (this.inflight <= this.windowSize >> 1) this.kick();
    }
  }

  private failed(record: QueueRecord, gen: number, error: unknown): void {
    if (gen !== this.generation || this.stopped) return;
    this.inflight--;
    if (this.options.link.isUp) {
      this.failures++;
      this.options.logger.warn({ err: error, stream: record.stream, seq: record.seq }, 'telemetry publish refused');
    }
  }
}
