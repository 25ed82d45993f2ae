import {
  decisionsTopic,
  detectionsTopic,
  poseTopic,
  reliable,
  type Component,
  type ComponentContext,
  type Subscription,
} from '../../runtime/index.js';
import { loadRclnodejsApi, type RclnodejsLoader } from './availability.js';
import { Ros2Error } from './errors.js';
import { toDiagnosticArray } from './outputs/decisions.js';
import { toDetection2DArray } from './outputs/detections.js';
import { toPoseWithCovarianceStamped } from './outputs/pose.js';
import { qosFor } from './qos.js';
import type { RclPublisher } from './rclnodejs-api.js';
import { acquireSession, type Ros2Session } from './ros2-session.js';

/** The ROS 2 topics Kestrel publishes its outputs on, and their types. */
export const ROS2_OUTPUTS = {
  pose: { topic: '/kestrel/pose', type: 'geometry_msgs/msg/PoseWithCovarianceStamped' },
  detections: { topic: '/kestrel/detections', type: 'vision_msgs/msg/Detection2DArray' },
  decisions: { topic: '/kestrel/guard/decisions', type: 'diagnostic_msgs/msg/DiagnosticArray' },
} as const;

export interface Ros2OutputPublisherOptions {
  /** Robot id: the decisions' `hardware_id`. */
  readonly robotId: string;
  /** Camera sensor id to its tf frame, for the detections' header. Default: the sensor id. */
  readonly cameraFrames?: ReadonlyMap<string, string>;
  /** Topic prefix instead of `/kestrel`, e.g. `/rover1/kestrel`. */
  readonly namespace?: string;
  readonly load?: RclnodejsLoader;
}

/**
 * Publishes what Kestrel works out to the ROS 2 graph, so rviz, Foxglove and
 * the robot's own nodes see it: the fused pose (PoseWithCovarianceStamped, as
 * robot_localization publishes it), detections (vision_msgs Detection2DArray;
 * the robot needs `ros-$ROS_DISTRO-vision-msgs` installed for rclnodejs to
 * have the type) and every guard decision (DiagnosticArray: allowed OK,
 * clamped WARN, denied ERROR). Reliable, keep last 10: consumers are tools
 * and nodes that expect to see every decision.
 */
export class Ros2OutputPublisher implements Component {
  readonly name = 'ros2-outputs';
  private session: Ros2Session | undefined;
  private publishers: RclPublisher[] = [];
  private subs: Subscription[] = [];
  private readonly prefix: string;

  constructor(private readonly options: Ros2OutputPublisherOptions) {
    this.prefix = options.namespace ?? '/kestrel';
  }

  async configure(ctx: ComponentContext): Promise<void> {
    this.session = await acquireSession(ctx, this.options.load ?? loadRclnodejsApi);
  }

  start(ctx: ComponentContext): void {
    const session = this.session;
    if (session === undefined) throw new Ros2Error('ros2.not_configured', `${this.name} was started before configure`);
    const qos = qosFor(session.api, 'reliable');
    const make = (o: { topic: string; type: string }): RclPublisher => {
      const pub = session.node.createPublisher(o.type, o.topic.replace(/^\/kestrel/, this.prefix), { qos });
      this.publishers.push(pub);
      return pub;
    };
    const pose = make(ROS2_OUTPUTS.pose);
    const detections = make(ROS2_OUTPUTS.detections);
    const decisions = make(ROS2_OUTPUTS.decisions);
    const opts = { policy: reliable(), subscriber: this.name };
    const frames = this.options.cameraFrames;
    this.subs = [
      ctx.bus.subscribe(poseTopic, (m) => pose.publish(toPoseWithCovarianceStamped(m.data, m.stampMs)), opts),
      ctx.bus.subscribe(
        detectionsTopic,
        (m) => detections.publish(toDetection2DArray(m.data, frames?.get(m.data.camera) ?? m.data.camera)),
        opts,
      ),
      ctx.bus.subscribe(
        decisionsTopic,
        (m) => decisions.publish(toDiagnosticArray(m.data, this.options.robotId)),
        opts,
      ),
    ];
    ctx.logger.info({ topics: this.publishers.map((p) => p.topic) }, 'publishing Kestrel outputs on ROS 2');
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    for (const p of this.publishers) this.session?.node.destroyPublisher(p);
    this.publishers = [];
    this.session?.release();
    this.session = undefined;
  }
}
