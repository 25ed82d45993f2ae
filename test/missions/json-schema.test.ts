import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missionJsonSchema } from '../../missions/index.js';

describe('mission JSON Schema', () => {
  const schema = missionJsonSchema();

  it('is draft 2020-12 and forbids unknown top-level keys', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining(['apiVersion', 'mission', 'platform', 'guardrails', 'behavior']),
    );
  });

  it('carries the descriptions operators see in their editor', () => {
    const text = JSON.stringify(schema);
    expect(text).toContain('Horizontal speed limit, m/s.');
    expect(text).toContain('Keep-in polygons');
  });

  it('the checked-in docs/kestrel-mission.schema.json is up to date (regenerate: npm run kestrel -- schema -o docs/kestrel-mission.schema.json)', () => {
    const file = join(import.meta.dirname, '../../docs/kestrel-mission.schema.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(schema);
  });
});
