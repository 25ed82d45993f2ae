import type { Component, ComponentContext } from '../../runtime/index.js';
import { loadRclnodejsApi, type RclnodejsLoader } from './availability.js';
import { Ros2Error } from './errors.js';
import { tfQos } from './qos.js';
import type { RclSubscription } from './rclnodejs-api.js';
import { acquireSession, type Ros2Session } from './ros2-session.js';
import { TfSink, type TfSinkStats } from './tf-sink.js';

export const TF_MESSAGE_TYPE = 'tf2_msgs/msg/TFMessage';

export interface Ros2TfSourceOptions {
  /** Dynamic transforms, default `/tf`. */
  readonly topic?: string;
  /** Latched static transforms (sensor mounts), default `/tf_static`. */
  readonly staticTopic?: string;
  /** Default: rclnodejs, loaded on first use. */
  readonly load?: RclnodejsLoader;
}

export type TfSourceStats = TfSinkStats;

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
  private sink: TfSink | undefined;

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
    const sink = new TfSink(ctx.bus, ctx.logger, topics.map((t) => t.topic).join(' '));
    this.sink = sink;
    this.subscriptions = topics.map(({ topic, isStatic }) =>
      session.node.createSubscription(
        TF_MESSAGE_TYPE,
        topic,
        { qos: tfQos(session.api, isStatic), enableTypedArray: true },
        (message) => void sink.push(message, isStatic, (headerMs) => headerMs ?? ctx.clock.nowMs()),
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
    return this.sink?.stats() ?? { published: 0, transforms: 0, rejected: {} };
  }
}
