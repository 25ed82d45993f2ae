import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse } from 'yaml';
import { KestrelError } from '../../runtime/index.js';
import { builtinScenario, builtinScenarioNames, parseScenario } from './builtin.js';
import type { Scenario } from './schema.js';

/**
 * Loads a scenario by built-in name (`forest-fire`) or by file path (YAML or
 * JSON, relative to `baseDir`). The file adapter of the pure scenario core.
 */
export async function loadScenario(nameOrPath: string, baseDir: string = process.cwd()): Promise<Scenario> {
  const builtin = builtinScenario(nameOrPath);
  if (builtin !== undefined) return builtin;
  const ext = extname(nameOrPath).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) {
    throw new KestrelError(
      'sim.scenario_not_found',
      `no built-in scenario "${nameOrPath}" (built-in: ${builtinScenarioNames.join(', ')}); a scenario file must end in .yaml, .yml or .json`,
    );
  }
  const file = resolve(baseDir, nameOrPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KestrelError('sim.scenario_not_found', `cannot read scenario file ${file}`, { cause: error });
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new KestrelError('sim.scenario_invalid', `${file} is not valid YAML/JSON: ${detail}`, { cause: error });
  }
  return parseScenario(data, file);
}
