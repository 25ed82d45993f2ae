import { transformsTopic, type Logger, type MessageBus } from '../../runtime/index.js';
import { convertTfMessage } from './convert/tf-message.js';

/** What a tf source has published and dropped so far. */
export interface TfSinkStats {
  readonly published: number;
  /** Transforms in the published messages. */
  readonly transforms: number;
  /** Rejected messages by code (`tf.invalid`, `bag.decode_failed`). */
  readonly rejected: Readonly<Record<string, number>>;
}

/**
 * Where a tf2_msgs/TFMessage becomes `state/transforms`: convert, then
 * publish, or count and drop (the first rejection of each code logged at
 * warn). Shared by the live subscription and the bag replay, as `SensorSink`
 * is for sensors.
 */
export class TfSink {
  private published = 0;
  private transforms = 0;
  private readonly rejected = new Map<string, number>();

  constructor(
    private readonly bus: MessageBus,
    private readonly logger: Logger,
    private readonly topic: string,
  ) {}

  /** `stampMs` maps the message's newest header stamp (undefined when unset) to its bus stamp. */
  push(ros: unknown, isStatic: boolean, stampMs: (headerStampMs: number | undefined) => number): boolean {
    const c = convertTfMessage(ros, isStatic);
    if (!c.ok) {
      this.reject(c.code, c.reason);
      return false;
    }
    this.bus.publish(transformsTopic, c.message, stampMs(c.stampMs));
    this.published++;
    this.transforms += c.message.transforms.length;
    return true;
  }

  /** Counts a message that never reached the converter (it did not decode). */
  reject(code: string, reason: string): void {
    const n = (this.rejected.get(code) ?? 0) + 1;
    this.rejected.set(code, n);
    if (n === 1) this.logger.warn({ topic: this.topic, code, reason }, 'tf message rejected');
  }

  stats(): TfSinkStats {
    return { published: this.published, transforms: this.transforms, rejected: Object.fromEntries(this.rejected) };
  }
}
