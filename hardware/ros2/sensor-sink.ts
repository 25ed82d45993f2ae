import { sensorTopic } from '../../runtime/index.js';
import type { Logger, MessageBus, SensorKind, Topic } from '../../runtime/index.js';
import type { SensorConverter } from './convert/index.js';

/** What a sensor source has converted and dropped so far. */
export interface SinkStats {
  readonly published: number;
  /** Rejected messages by code (`gnss.no_fix`, `image.unsupported_encoding`, ...). */
  readonly rejected: Readonly<Record<string, number>>;
}

/**
 * Where a ROS message becomes a bus message: convert, then publish on
 * `sensors/<id>`, or count and drop. Shared by the live subscription and the
 * bag replay so both treat bad data the same way. The first rejection of each
 * code is logged at warn, later ones at debug: a receiver without a fix sends
 * NO_FIX every second and the log must stay readable.
 */
export class SensorSink {
  private readonly topic: Topic<unknown>;
  private published = 0;
  private readonly rejected = new Map<string, number>();

  constructor(
    sensorId: string,
    kind: SensorKind,
    private readonly converter: SensorConverter,
    private readonly bus: MessageBus,
    private readonly logger: Logger,
  ) {
    this.topic = sensorTopic(kind, sensorId);
  }

  /**
   * Converts and publishes one ROS message. `stampMs` maps the message's own
   * header stamp (epoch ms, undefined when unset) to the stamp it gets on the
   * bus. Returns whether it was published.
   */
  push(ros: unknown, stampMs: (headerStampMs: number | undefined) => number): boolean {
    const c = this.converter.convert(ros);
    if (!c.ok) {
      this.reject(c.code, c.reason);
      return false;
    }
    this.bus.publish(this.topic, c.message, stampMs(c.stampMs));
    this.published++;
    return true;
  }

  /** Counts a message that never reached the converter (it did not decode). */
  reject(code: string, reason: string): void {
    const n = (this.rejected.get(code) ?? 0) + 1;
    this.rejected.set(code, n);
    if (n === 1) this.logger.warn({ code, reason }, 'sensor message rejected');
    else if (this.logger.isLevelEnabled('debug'))
      this.logger.debug({ code, reason, count: n }, 'sensor message rejected');
  }

  stats(): SinkStats {
    return { published: this.published, rejected: Object.fromEntries(this.rejected) };
  }
}
