import type { Component, ComponentContext } from '../../runtime/index.js';
import { loadRclnodejs } from './availability.js';

/**
 * Live ROS 2 endpoints. Until the ROS 2 adapter lands, a mission that asks
 * for a live topic fails at configure with a message that names what to
 * install and source, instead of running without the sensor it relies on.
 */
export class Ros2Endpoint implements Component {
  readonly name: string;

  constructor(
    id: string,
    private readonly topic: string,
  ) {
    this.name = `ros2-${id}`;
  }

  async configure(ctx: ComponentContext): Promise<void> {
    await loadRclnodejs(ctx.logger.child({ topic: this.topic }));
  }

  start(): void {}

  stop(): void {}
}
