import { findActionProblem } from '../action-check.js';
import { ALLOW, deny, type GuardRule } from '../rule.js';

export interface ActionSanityOptions {
  /** Names of integrator-registered `custom` actions; others are denied. Default: none registered. */
  readonly customActions?: Iterable<string>;
}

/**
 * Denies actions no other rule can reason about: NaN or ±Infinity in any
 * field, a non-positive speed or duration, coordinates out of range, an
 * unknown kind or an unregistered custom action. Runs before the geometry
 * rules because NaN compares false against every limit and would slip past them.
 */
export function actionSanityRule(options: ActionSanityOptions = {}): GuardRule {
  const custom = new Set(options.customActions ?? []);
  return {
    id: 'action-sanity',
    evaluate(action) {
      const problem = findActionProblem(action, custom);
      if (problem === undefined) return ALLOW;
      return deny(problem.code, problem.message, { field: problem.path, value: problem.value });
    },
  };
}
