import { transformsTopic, type Component, type ComponentContext } from '../../runtime/index.js';
import { loadRclnodejsApi, type RclnodejsLoader } from './availability.js';
import { convertTfMessage } from './convert/tf-message.js';
import { Ros2Error } from './errors.js';
import { tfQos } from './qos.js';
import type { RclSubscription } from './rclnodejs-api.js';
import { acquireSession, type Ros2Session } from './ros2-session.js';

export const TF_MESSAGE_TYPE = 'tf2_msgs/msg/TFMessage';

export interface Ros2TfSourceOptions {
  /** Dynamic transforms, default `/tf`. */
  readonly topic?: string;
  /** Latched static transforms (sensor mounts), default `/tf_static`. */
  readonly staticTopic?: string;
  /** Default: rclnodejs, loaded on first use. */
  readonly load?: RclnodejsLoader;
}

export interface TfSourceStats {
  readonly published: number;
  readonly transforms: number;
  readonly rejected: Readonly<Record<string, number>>;
}

/**
 * A robot's tf tree as Kestrel transforms: subscribes to `/tf` and
 * `/tf_static` with tf2_ros's listener QoS and publishes each valid
 * TFMessage on `state/transforms` (whole, as tf2 takes it). Invalid messages
 * (NaN, bad quaternion, a frame that is its own parent) are counted and
 * dropped, never half-applied.
 */
export class Ros2TfSource implements Component {
  readonly name = 'ros2-tf';
  private session: Ros2Session | undefined;
  private subscriptions: RclSubscription[] = [];
  private published = 0;
  private transforms = 0;
  private readonly rejected = new Map<string, number>();

  constructor(private readonly options: Ros2TfSourceOptions = {}) {}

  async configure(ctx: ComponentContext): Promise<void> {
    this.session = await acquireSession(ctx, this.options.load ?? loadRclnodejsApi);
  }

  start(ctx: ComponentContext): void {
    const session = this.session;
    if (session === undefined) throw new Ros2Error('ros2.not_configured', `${this.name} was started before configure`);
    const topics = [
      { topic: this.options.topic ?? '/tf', isStatic: false },
      { topic: this.options.staticTopic ?? '/tf_static', isStatic: true },
    ];
    this.subscriptions = topics.map(({ topic, isStatic }) =>
      session.node.createSubscription(
        TF_MESSAGE_TYPE,
        topic,
        { qos: tfQos(session.api, isStatic), enableTypedArray: true },
        (message) => {
          const c = convertTfMessage(message, isStatic);
          if (!c.ok) {
            const n = (this.rejected.get(c.code) ?? 0) + 1;
            this.rejected.set(c.code, n);
            if (n === 1) ctx.logger.warn({ topic, code: c.code, reason: c.reason }, 'tf message rejected');
            return;
          }
          ctx.bus.publish(transformsTopic, c.message, c.stampMs ?? ctx.clock.nowMs());
          this.published++;
          this.transforms += c.message.transforms.length;
        },
      ),
    );
    ctx.logger.info({ topics: topics.map((t) => t.topic) }, 'subscribed to tf');
  }

  stop(): void {
    for (const s of this.subscriptions) this.session?.node.destroySubscription(s);
    this.subscriptions = [];
    this.session?.release();
    this.session = undefined;
  }

  stats(): TfSourceStats {
    return { published: this.published, transforms: this.transforms, rejected: Object.fromEntries(this.rejected) };
  }
}
