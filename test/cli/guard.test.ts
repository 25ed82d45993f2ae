import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.js';
import type { GuardCliIo } from '../../cli/commands/guard.js';

const root = join(import.meta.dirname, '../..');
const mission = join(root, 'missions/examples/firefighting-drone.yaml');

/** One output line: a decision with its rule trace, or an error for a line that was not an action. */
interface Line {
  readonly line: number;
  readonly verdict: string;
  readonly ruleId?: string;
  readonly rules: { readonly ruleId: string; readonly verdict: string; readonly code?: string }[];
  readonly error: { readonly code: string; readonly issues: unknown[] };
}

async function cli(
  stdin: string,
  ...argv: string[]
): Promise<{ code: number; lines: Line[]; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: GuardCliIo = {
    out: (s) => (out += s),
    err: (s) => (err += s),
    interactive: false,
    stdin: Readable.from([stdin]),
  };
  const code = await runCli(argv, io);
  const lines = out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
  return { code, lines, out, err };
}

const state = {
  pose: { x: 100, y: 100, z: 40 },
  battery: { percent: 80 },
  targets: [{ class: 'person', x: 150, y: 100 }],
};

async function stateFile(s: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kestrel-guard-'));
  const file = join(dir, 'state.json');
  await writeFile(file, JSON.stringify(s));
  return file;
}

describe('kestrel guard check', () => {
  it('prints one JSON decision per action line, with every rule verdict, and exits 1 when any is denied', async () => {
    const actions = [
      { kind: 'goto', target: { frame: 'local', x: 100, y: 200 }, altitudeM: 40, speedMps: 8 },
      { kind: 'goto', target: { frame: 'local', x: 350, y: 280 }, altitudeM: 40 },
      { kind: 'velocity', linearMps: { x: 30, y: 0, z: 0 }, yawRateRps: 0 },
      { id: 'drop', source: 'operator/alice', action: { kind: 'payload', on: true, durationS: 2 } },
    ]
      .map((a) => JSON.stringify(a))
      .join('\n');
    const r = await cli(actions, 'guard', 'check', '--mission', mission, '--state', await stateFile(state));
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(4);
    // North, inside the fence and away from the person: allowed as asked.
    expect(r.lines[0]).toMatchObject({ line: 1, verdict: 'allow', source: 'cli/guard-check' });
    expect(r.lines[0]!.rules.every((x) => x.verdict === 'allow')).toBe(true);
    // Into the village: denied by the no-go rule; the trace names it.
    expect(r.lines[1]).toMatchObject({ line: 2, verdict: 'deny', ruleId: 'no-go' });
    expect(r.lines[1]!.rules.find((x) => x.ruleId === 'no-go')).toMatchObject({ verdict: 'deny' });
    // 30 m/s east toward the person 50 m away: slowed or stopped, with each rule's reason.
    expect(['modify', 'deny']).toContain(r.lines[2]!.verdict);
    expect(r.lines[2]!.rules.find((x) => x.ruleId === 'speed-limits')).toMatchObject({
      verdict: 'modify',
      code: 'speed.clamp',
    });
    expect(r.lines[2]!.rules.find((x) => x.ruleId === 'standoff')?.verdict).not.toBe('allow');
    // Water within 50 m of a person: denied.
    expect(r.lines[3]).toMatchObject({ line: 4, proposalId: 'drop', source: 'operator/alice', verdict: 'deny' });
  });

  it('is a dry run: a rate-limited action judged twice is allowed twice (no slot is spent)', async () => {
    const payload = JSON.stringify({ kind: 'payload', on: true, durationS: 1 });
    const far = { ...state, targets: [] };
    const r = await cli(
      `${payload}\n${payload}\n`,
      'guard',
      'check',
      '--mission',
      mission,
      '--state',
      await stateFile(far),
    );
    expect(r.lines.map((l) => l.verdict)).toEqual(['allow', 'allow']);
    expect(r.code).toBe(0);
  });

  it('--route judges each goto leg from the previous target', async () => {
    // Both targets are inside the fence and outside the village; the leg between them cuts its corner.
    const legs = [
      { kind: 'goto', target: { frame: 'local', x: 410, y: 200 }, altitudeM: 40, speedMps: 8 },
      { kind: 'goto', target: { frame: 'local', x: 290, y: 300 }, altitudeM: 40, speedMps: 8 },
    ]
      .map((a) => JSON.stringify(a))
      .join('\n');
    const start = await stateFile({ ...state, targets: [] });
    const plain = await cli(legs, 'guard', 'check', '--mission', mission, '--state', start);
    const route = await cli(legs, 'guard', 'check', '--mission', mission, '--state', start, '--route');
    expect(plain.lines.map((l) => l.verdict)).toEqual(['allow', 'allow']);
    expect(plain.code).toBe(0);
    expect(route.lines.map((l) => l.verdict)).toEqual(['allow', 'deny']);
    expect(route.lines[1]).toMatchObject({ ruleId: 'no-go' });
    expect(route.code).toBe(1);
  });

  it('EXPECTED FAILURE - a line that is not an action gets an error line naming the field, exit 1', async () => {
    const r = await cli(
      '{"kind":"velocity","linearMps":{"x":1,"y":0},"yawRateRps":0}\nnot json\n',
      'guard',
      'check',
      '--mission',
      mission,
    );
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatchObject({ line: 1, ok: false, error: { code: 'guard.action_invalid' } });
    expect(JSON.stringify(r.lines[0]!.error.issues)).toContain('linearMps');
    expect(r.lines[1]).toMatchObject({ line: 2, ok: false, error: { code: 'guard.action_invalid' } });
  });

  it('EXPECTED FAILURE - a state file that is not a state is one message with its code, exit 1', async () => {
    const r = await cli('', 'guard', 'check', '--mission', mission, '--state', await stateFile({ pose: { x: 'a' } }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('[guard.state_invalid]');
    expect(r.err).toContain('pose.x');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('BAD CALL - without --mission it is a usage error (exit 2)', async () => {
    const r = await cli('', 'guard', 'check');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--mission');
  });

  it('with the e-stop engaged in the state, only stop is allowed', async () => {
    const lines = ['{"kind":"hold"}', '{"kind":"stop"}'].join('\n');
    const r = await cli(
      lines,
      'guard',
      'check',
      '--mission',
      mission,
      '--state',
      await stateFile({ ...state, estop: true }),
    );
    expect(r.lines.map((l) => l.verdict)).toEqual(['deny', 'allow']);
    expect(r.lines[0]).toMatchObject({ ruleId: 'estop' });
  });
});
