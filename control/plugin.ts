import type { KestrelPlugin } from '../runtime/index.js';
import { createGuardComponent } from './guard-component.js';

/** Kestrel's own guard, as a plugin: `createRuntime(mission, { plugins: [controlPlugin, ...] })`. */
export const controlPlugin: KestrelPlugin = {
  name: 'control',
  guard: (guardrails, ctx) => createGuardComponent({ guardrails, mission: ctx.mission }),
};
