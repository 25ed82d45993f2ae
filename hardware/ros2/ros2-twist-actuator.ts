import { commandsTopic, reliable } from '../../runtime/index.js';
import type { Component, ComponentContext, Subscription } from '../../runtime/index.js';
import { loadRclnodejsApi, type RclnodejsLoader } from './availability.js';
import { Ros2Error } from './errors.js';
import { qosFor } from './qos.js';
import type { RclPublisher } from './rclnodejs-api.js';
import { acquireSession, type Ros2Session } from './ros2-session.js';
import { ZERO_TWIST, stamped, twistFor, type TwistMsg } from './twist.js';

export interface Ros2TwistActuatorOptions {
  /** Default `/cmd_vel`. */
  readonly topic: string;
  readonly message: 'twist' | 'twist_stamped';
  /** `header.frame_id` of TwistStamped. Default `base_link`. */
  readonly frameId?: string;
  readonly load?: RclnodejsLoader;
}

/**
 * Publishes approved velocity commands (after the guard: it listens on
 * `control/commands`, never on proposals) as geometry_msgs Twist or
 * TwistStamped. On stop it sends one zero twist first, so the base is left
 * standing rather than holding the last command until its own timeout.
 */
export class Ros2TwistActuator implements Component {
  readonly name = 'actuator-ros2';
  private session: Ros2Session | undefined;
  private publisher: RclPublisher | undefined;
  private sub: Subscription | undefined;
  private ctx: ComponentContext | undefined;
  private readonly rosType: string;

  constructor(private readonly options: Ros2TwistActuatorOptions) {
    this.rosType = options.message === 'twist' ? 'geometry_msgs/msg/Twist' : 'geometry_msgs/msg/TwistStamped';
  }

  async configure(ctx: ComponentContext): Promise<void> {
    this.session = await acquireSession(ctx, this.options.load ?? loadRclnodejsApi);
  }

  start(ctx: ComponentContext): void {
    this.ctx = ctx;
    const session = this.session;
    if (session === undefined) throw new Ros2Error('ros2.not_configured', `${this.name} was started before configure`);
    // Commands must not be dropped on the way out: reliable, like the bus subscription feeding it.
    this.publisher = session.node.createPublisher(this.rosType, this.options.topic, {
      qos: qosFor(session.api, 'reliable'),
    });
    this.sub = ctx.bus.subscribe(
      commandsTopic,
      (m) => {
        const twist = twistFor(m.data.action);
        if (twist === undefined) {
          ctx.logger.debug({ action: m.data.action.kind }, 'not a velocity command; ignored');
          return;
        }
        this.send(twist);
      },
      { policy: reliable(), subscriber: this.name },
    );
    ctx.logger.info({ topic: this.options.topic, type: this.rosType }, 'publishing commands');
  }

  stop(): void {
    this.sub?.unsubscribe();
    if (this.publisher !== undefined) {
      this.send(ZERO_TWIST);
      this.session?.node.destroyPublisher(this.publisher);
    }
    this.publisher = undefined;
    this.session?.release();
    this.session = undefined;
  }

  private send(twist: TwistMsg): void {
    const publisher = this.publisher;
    if (publisher === undefined || this.ctx === undefined) return;
    publisher.publish(
      this.options.message === 'twist'
        ? twist
        : stamped(twist, this.ctx.clock.nowMs(), this.options.frameId ?? 'base_link'),
    );
  }
}
