import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.js';
import type { CliIo } from '../../cli/io.js';

const root = join(import.meta.dirname, '../..');
const examples = join(root, 'missions/examples');
const broken = join(root, 'test/fixtures/missions/broken');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s), interactive: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('kestrel validate', () => {
  it('passes each example mission', async () => {
    const r = await cli(
      'validate',
      join(examples, 'firefighting-drone.yaml'),
      join(examples, 'factory-inspection.yaml'),
      join(examples, 'perimeter-patrol.yaml'),
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok ');
    expect(r.out.match(/^ok /gm)).toHaveLength(3);
  });

  it('EXPECTED FAILURE - prints file:line:col and the path of each error, exits 1', async () => {
    const file = join(broken, 'polygon-too-small.yaml');
    const r = await cli('validate', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:9:7: guardrails.geofence[2]: polygon needs at least 3 points`);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--json is one machine-readable object with every issue', async () => {
    const r = await cli(
      'validate',
      '--json',
      join(broken, 'unknown-keys.yaml'),
      join(examples, 'firefighting-drone.yaml'),
    );
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out) as {
      ok: boolean;
      files: { valid: boolean; error?: { issues: { path: unknown[] }[] } }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.files.map((f) => f.valid)).toEqual([false, true]);
    expect(parsed.files[0]?.error?.issues.map((i) => i.path)).toEqual([
      ['platform', 'maxSpeedMph'],
      ['guardrails', 'geofnce'],
    ]);
  });

  it('EXPECTED FAILURE - a missing file is one clear line', async () => {
    const r = await cli('validate', 'no/such/mission.yaml');
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')[0]).toMatch(/^invalid no\/such\/mission.yaml: cannot read mission file/);
  });
});

describe('kestrel schema', () => {
  it('prints the JSON Schema', async () => {
    const r = await cli('schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ title: 'Kestrel mission', type: 'object' });
  });
});

describe('BAD CALL - usage errors give one message and exit 2', () => {
  it('an unknown command', async () => {
    const r = await cli('fly');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'fly'");
  });

  it('a missing argument', async () => {
    const r = await cli('validate');
    expect(r.code).toBe(2);
    expect(r.err).toContain("missing required argument 'files'");
  });

  it('a bad --speed', async () => {
    const r = await cli('run', join(examples, 'firefighting-drone.yaml'), '--speed', 'fast');
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected a number > 0, got "fast"');
  });

  it('a bad --log-level', async () => {
    const r = await cli('run', join(examples, 'firefighting-drone.yaml'), '--log-level', 'loud');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Allowed choices are trace, debug, info, warn, error, fatal, silent');
  });
});

describe('kestrel --help', () => {
  it('lists the commands', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['run', 'validate', 'schema']) expect(r.out).toContain(c);
  });
});
