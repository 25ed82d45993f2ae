import type { BehaviorInput, BehaviorLogic, BehaviorOutput } from './logic.js';

/** Stay where you are. Proposes one hold, then nothing. */
export class Hold implements BehaviorLogic {
  readonly kind = 'hold';
  private proposed = false;

  step(_input: BehaviorInput): BehaviorOutput {
    if (this.proposed) return { phase: 'holding' };
    this.proposed = true;
    return { phase: 'holding', action: { kind: 'hold' } };
  }
}
