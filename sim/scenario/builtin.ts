import { KestrelError } from '../../runtime/index.js';
import type { KestrelIssue } from '../../runtime/index.js';
import { darkFactory } from '../scenarios/dark-factory.js';
import { forestFire } from '../scenarios/forest-fire.js';
import { forestFireNight } from '../scenarios/forest-fire-night.js';
import { perimeter } from '../scenarios/perimeter.js';
import { scenarioSchema, type Scenario, type ScenarioInput } from './schema.js';

const BUILTIN: Readonly<Record<string, ScenarioInput>> = {
  'forest-fire': forestFire,
  'forest-fire-night': forestFireNight,
  'dark-factory': darkFactory,
  perimeter,
};

export const builtinScenarioNames: readonly string[] = Object.keys(BUILTIN);

/**
 * Validates scenario data. Throws `sim.scenario_invalid` listing every problem
 * with its path, e.g. `fire.fuel[0].polygon: polygon needs at least 3 points`.
 */
export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(data);
  if (result.success) return result.data;
  const issues: KestrelIssue[] = result.error.issues.map((i) => ({
    code: i.code,
    path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
    message: i.message,
  }));
  throw new KestrelError('sim.scenario_invalid', `${source} is not a valid scenario (${issues.length} problems)`, {
    issues,
  });
}

/** A built-in scenario by name, or undefined. */
export function builtinScenario(name: string): Scenario | undefined {
  const input = BUILTIN[name];
  return input === undefined ? undefined : parseScenario(input, `built-in scenario "${name}"`);
}
