import { defineService, type ComponentContext } from '../../runtime/index.js';
import type { RclnodejsLoader } from './availability.js';
import type { RclNode, Rclnodejs } from './rclnodejs-api.js';

/**
 * One rclnodejs context and node per runtime, shared by every ROS 2 source
 * and actuator: one node is what `ros2 node list` should show for one robot
 * program, and rclnodejs can be initialised only once per context.
 */
export class Ros2Session {
  private users = 0;

  private constructor(
    readonly api: Rclnodejs,
    readonly node: RclNode,
  ) {}

  static async open(load: RclnodejsLoader, nodeName: string): Promise<Ros2Session> {
    const api = await load();
    await api.init();
    const node = api.createNode(nodeName);
    node.spin();
    return new Ros2Session(api, node);
  }

  acquire(): this {
    this.users++;
    return this;
  }

  /** The last user to leave destroys the node and shuts rclnodejs down. */
  release(): void {
    this.users--;
    if (this.users > 0) return;
    this.node.destroy();
    if (!this.api.isShutdown()) this.api.shutdown();
  }
}

const sessionKey = defineService<Promise<Ros2Session>>('ros2.session');

/** The runtime's session, opened by the first ROS 2 component to configure. */
export async function acquireSession(ctx: ComponentContext, load: RclnodejsLoader): Promise<Ros2Session> {
  let session = ctx.services.find(sessionKey);
  if (session === undefined) {
    session = Ros2Session.open(load, 'kestrel');
    ctx.services.provide(sessionKey, session);
  }
  return (await session).acquire();
}
