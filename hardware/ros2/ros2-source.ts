import type { Component, ComponentContext, SensorKind } from '../../runtime/index.js';
import { loadRclnodejsApi, type RclnodejsLoader } from './availability.js';
import { Ros2Error } from './errors.js';
import { converterFor, rosTypeForSensor } from './convert/index.js';
import { qosFor, type QosName } from './qos.js';
import type { RclSubscription } from './rclnodejs-api.js';
import { acquireSession, type Ros2Session } from './ros2-session.js';
import { SensorSink, type SinkStats } from './sensor-sink.js';

export interface Ros2SourceOptions {
  readonly sensorId: string;
  readonly sensorType: SensorKind;
  readonly topic: string;
  readonly qos: QosName;
  /** Default: rclnodejs, loaded on first use. */
  readonly load?: RclnodejsLoader;
}

/**
 * A live ROS 2 topic as a Kestrel sensor. The subscription asks rclnodejs for
 * typed arrays, so an Image's pixels arrive as one Uint8Array that the
 * converter borrows. Messages are stamped with their header stamp, or the
 * clock's time when the publisher left it zero.
 */
export class Ros2Source implements Component {
  readonly name: string;
  private session: Ros2Session | undefined;
  private subscription: RclSubscription | undefined;
  private sink: SensorSink | undefined;
  private readonly rosType: string;

  constructor(private readonly options: Ros2SourceOptions) {
    this.name = `ros2-${options.sensorId}`;
    this.rosType = rosTypeForSensor(options.sensorType, options.topic);
  }

  async configure(ctx: ComponentContext): Promise<void> {
    this.session = await acquireSession(ctx, this.options.load ?? loadRclnodejsApi);
    const converter = converterFor(this.rosType);
    if (converter === undefined) throw new Ros2Error('ros2.unsupported_type', `no converter for ${this.rosType}`);
    this.sink = new SensorSink(this.options.sensorId, this.options.sensorType, converter, ctx.bus, ctx.logger);
  }

  start(ctx: ComponentContext): void {
    const { session, sink } = this;
    if (session === undefined || sink === undefined) {
      throw new Ros2Error('ros2.not_configured', `${this.name} was started before configure`);
    }
    const { topic, qos } = this.options;
    this.subscription = session.node.createSubscription(
      this.rosType,
      topic,
      { qos: qosFor(session.api, qos), enableTypedArray: true },
      (message) => sink.push(message, (headerMs) => headerMs ?? ctx.clock.nowMs()),
    );
    ctx.logger.info({ topic, type: this.rosType, qos }, 'subscribed');
  }

  stop(): void {
    if (this.subscription !== undefined) this.session?.node.destroySubscription(this.subscription);
    this.subscription = undefined;
    this.session?.release();
    this.session = undefined;
  }

  stats(): SinkStats {
    return this.sink?.stats() ?? { published: 0, rejected: {} };
  }
}
