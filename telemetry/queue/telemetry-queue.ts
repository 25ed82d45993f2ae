import type { Clock, Logger } from '../../runtime/index.js';
import { encodeRecordMsgpack, PAYLOAD_MARKING, type PayloadEncoding } from '../encoding.js';
import { TelemetryError } from '../errors.js';
import { encodeRecord, STREAM_PRIORITY, type RobotTopics } from '../topics.js';
import { Forwarder, type Publisher, type WireMessage } from './forwarder.js';
import type { AppendResult, Priority, QueueRecord, QueueStats, QueueStore, RecordInput } from './record.js';

export interface TelemetryQueueOptions {
  readonly store: QueueStore;
  readonly robotId: string;
  readonly topics: RobotTopics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Absent: records are only stored (no broker). */
  readonly link?: Publisher;
  /** QoS of `record` and `safety` priorities. Default 1. */
  readonly recordsQos?: 1 | 2;
  /** QoS of `state`. Default 0. */
  readonly stateQos?: 0 | 1;
  /** MQTT 5 message expiry of state, s. Default 10. */
  readonly stateExpiryS?: number;
  /** Default 256. */
  readonly windowSize?: number;
  /** Wire encoding of records; the store keeps JSON either way. Default json. */
  readonly encoding?: PayloadEncoding;
}

export interface EnqueueOptions {
  /** Default: the stream's priority in the topic scheme, else `record`. */
  readonly priority?: Priority;
  /** Source time, epoch ms. Default: the clock's now. */
  readonly stampMs?: number;
}

/**
 * Store and forward: `enqueue` returns once the record is in the store (for
 * the SQLite store, fsynced), then the forwarder delivers it when the link is
 * up and deletes it on the broker's acknowledgement.
 *
 * @example
 * const queue = new TelemetryQueue({ store: new SqliteQueueStore({ dir, maxBytes: 64 * 2 ** 20 }),
 *   robotId: 'drone-1', topics: robotTopics('kestrel', 'drone-1'), clock, logger, link });
 * queue.enqueue('events', { kind: 'geofence.breach', severity: 'critical', message: 'left the fence' });
 * await queue.drained(5_000); // true once the broker has acknowledged everything
 */
export class TelemetryQueue {
  private readonly forwarder: Forwarder | undefined;
  private readonly robotJson: string;
  private closed = false;

  constructor(private readonly options: TelemetryQueueOptions) {
    this.robotJson = JSON.stringify(options.robotId);
    const link = options.link;
    this.forwarder =
      link === undefined
        ? undefined
        : new Forwarder({
            store: options.store,
            link,
            logger: options.logger,
            encode: (r) => this.encode(r),
            ...(options.windowSize === undefined ? {} : { windowSize: options.windowSize }),
          });
  }

  /** Stores one record; throws `telemetry.queue_full` when it was refused under the bound. */
  enqueue(stream: string, data: unknown, options: EnqueueOptions = {}): QueueRecord {
    const input: RecordInput = {
      stream,
      priority: options.priority ?? priorityOf(stream),
      stampMs: options.stampMs ?? this.options.clock.nowMs(),
      data: JSON.stringify(data),
    };
    const result = this.append([input]);
    const record = result.accepted[0];
    if (record === undefined) {
      throw new TelemetryError(
        'telemetry.queue_full',
        `telemetry queue is full: a ${input.priority} record on "${stream}" was refused`,
      );
    }
    return record;
  }

  /** Stores already encoded records in one commit (how the component writes a turn's worth of bus messages). */
  append(inputs: readonly RecordInput[]): AppendResult {
    if (this.closed) throw new TelemetryError('telemetry.queue_closed', 'the telemetry queue is closed');
    const result = this.options.store.append(inputs);
    this.forwarder?.kick();
    return result;
  }

  /** Call when the link comes up / goes down. */
  linkUp(): void {
    this.forwarder?.onUp();
  }

  linkDown(): void {
    this.forwarder?.onDown();
  }

  /** True once the store is empty; false if `timeoutMs` passed first or there is no link. */
  async drained(timeoutMs: number): Promise<boolean> {
    const forwarder = this.forwarder;
    if (forwarder === undefined) return this.options.store.stats().records === 0;
    forwarder.flushAcks();
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = this.options.clock.setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([forwarder.whenEmpty().then(() => true), timeout]);
    timer?.cancel();
    return done;
  }

  stats(): QueueStats {
    return this.options.store.stats();
  }

  /** Source stamp of the oldest record still waiting, epoch ms; undefined when none waits. */
  oldestStampMs(): number | undefined {
    return this.options.store.peek(0, 1)[0]?.stampMs;
  }

  get failedPublishes(): number {
    return this.forwarder?.failedPublishes ?? 0;
  }

  /** Writes pending acks and closes the store. What is undelivered stays on disk for the next start. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.forwarder?.stop();
    } finally {
      this.options.store.close();
    }
  }

  private encode(r: QueueRecord): WireMessage {
    const encoding = this.options.encoding ?? 'json';
    const payload =
      encoding === 'msgpack'
        ? encodeRecordMsgpack(this.options.robotId, r.stream, r.seq, r.stampMs, r.data)
        : encodeRecord(this.robotJson, r.stream, r.seq, r.stampMs, r.data);
    const marking = PAYLOAD_MARKING[encoding];
    const topic = this.options.topics.stream(r.stream);
    if (r.priority !== 'state') return { topic, payload, options: { qos: this.options.recordsQos ?? 1, ...marking } };
    // State that waited in the queue gets only what is left of its lifetime; stale state still reaches
    // live subscribers (as history) but a broker never holds it for later ones.
    const expiryS = this.options.stateExpiryS ?? 10;
    const ageS = Math.max(0, (this.options.clock.nowMs() - r.stampMs) / 1000);
    return {
      topic,
      payload,
      options: { qos: this.options.stateQos ?? 0, expiryS: Math.max(1, Math.ceil(expiryS - ageS)), ...marking },
    };
  }
}

function priorityOf(stream: string): Priority {
  return (STREAM_PRIORITY as Readonly<Record<string, Priority>>)[stream] ?? 'record';
}
