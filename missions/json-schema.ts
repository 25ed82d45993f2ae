import { z } from 'zod';
import { missionSchema } from './schema/mission.js';

/**
 * The mission schema as JSON Schema (draft 2020-12), for editors: with
 * `# yaml-language-server: $schema=./kestrel-mission.schema.json` at the top of
 * a mission file, VS Code and other editors check it while the operator types.
 * `io: 'input'` describes what a person writes (defaults may be left out).
 */
export function missionJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(missionSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return { ...schema, $id: 'https://kestrel.dev/schemas/mission-v1.json', title: 'Kestrel mission' };
}
