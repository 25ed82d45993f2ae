import { commandsTopic, reliable, type Component, type ComponentContext, type Subscription } from '../runtime/index.js';

/**
 * Dry-run actuator: every approved command is logged and nothing moves. For
 * rehearsing a mission on the real robot's sensors with the motors off.
 */
export class LogActuator implements Component {
  readonly name = 'actuator-log';
  private sub: Subscription | undefined;

  start(ctx: ComponentContext): void {
    this.sub = ctx.bus.subscribe(
      commandsTopic,
      (m) => ctx.logger.info({ proposal: m.data.proposalId, action: m.data.action }, 'command (dry run)'),
      { policy: reliable(), subscriber: this.name },
    );
  }

  stop(): void {
    this.sub?.unsubscribe();
  }
}
