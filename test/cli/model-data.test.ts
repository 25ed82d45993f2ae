import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.js';
import type { CliIo } from '../../cli/io.js';
import { CaptureStore } from '../../fieldloop/index.js';
import { fixtureModel, tempDir, yoloSplit } from '../fieldloop/helpers.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s), interactive: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const MISSION = (trust: string): string => `
apiVersion: kestrel/v1
mission: { id: cli-trust, version: 1.0.0 }
platform: { kind: multirotor, id: t1, maxSpeedMps: 15 }
guardrails:
  geofence: [[[-20, -20], [420, -20], [420, 320], [-20, 320]]]
  altitude: { minM: 15, maxM: 80 }
  battery: { returnHomePct: 30, landPct: 15 }
models:
  - { id: det, manifest: model.yaml }
${trust}
behavior: { kind: hold }
actuator: { kind: log }
`;

describe('kestrel model', () => {
  it('keygen, sign, verify against a mission; a tampered manifest fails with its code and exit 1', async () => {
    const dir = await tempDir();
    const { manifestPath } = await fixtureModel(dir);
    const key = join(dir, 'release.pem');
    const gen = await cli('model', 'keygen', '--out', key, '--json');
    expect(gen.code).toBe(0);
    const { keyId, publicKey } = JSON.parse(gen.out) as { keyId: string; publicKey: string };
    expect(keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);

    const signed = await cli('model', 'sign', '--key', key, manifestPath);
    expect(signed.code).toBe(0);
    expect(signed.out).toContain(`with ${keyId}`);

    const mission = join(dir, 'mission.yaml');
    await writeFile(
      mission,
      MISSION(`modelTrust:\n  trustedSigners:\n    - { id: "${keyId}", publicKey: ${publicKey} }\n`),
    );
    const ok = await cli('model', 'verify', '--mission', mission, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, models: [{ modelId: 'det', keyId, trusted: true }] });
    expect((await cli('model', 'verify', manifestPath)).out).toMatch(/integrity only/);

    await writeFile(manifestPath, `${await readFile(manifestPath, 'utf8')}scoreThreshold: 0.01\n`);
    const bad = await cli('model', 'verify', '--mission', mission);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error \[model\.manifest_tampered\]: .*changed after it was signed/);
    const badJson = await cli('model', 'verify', manifestPath, '--mission', mission, '--json');
    expect(JSON.parse(badJson.out)).toMatchObject({ ok: false, error: { code: 'model.manifest_tampered' } });

    const usage = await cli('model', 'verify');
    expect(usage.code).toBe(2);
  });

  it('promote refuses a loser with the per-class table (text and --json), rollback needs a previous model', async () => {
    const dir = await tempDir();
    const key = join(dir, 'k.pem');
    await cli('model', 'keygen', '--out', key);
    const v8 = await fixtureModel(join(dir, 'v8'), 'yolov8');
    const reloaded = await fixtureModel(join(dir, 'reloaded'), 'yolov8-reloaded');
    const data = join(dir, 'data');
    await yoloSplit(data, 'val', [[[0, 4, 4, 12, 12]]]);
    const registry = join(dir, 'registry');
    const args = ['--data', data, '--key', key, '--registry', registry];
    expect((await cli('model', 'promote', '--candidate', v8.manifestPath, ...args)).code).toBe(0);
    const refused = await cli('model', 'promote', '--candidate', reloaded.manifestPath, ...args);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/person\s+1\s+1\.000\s+0\.000\s+-1\.000\s+REGRESSED/);
    expect(refused.err).toMatch(/^error \[promote\.refused\]/);
    const json = await cli('model', 'promote', '--candidate', reloaded.manifestPath, ...args, '--json');
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      error: { code: 'promote.refused', comparison: { metric: 'map50', promote: false, regressions: ['person'] } },
    });
    const rb = await cli('model', 'rollback', '--registry', registry, '--json');
    expect(rb.code).toBe(1);
    expect(JSON.parse(rb.out)).toMatchObject({ ok: false, error: { code: 'registry.no_previous' } });
  }, 30_000);
});

describe('kestrel data', () => {
  it('exports an empty store and reports a missing one', async () => {
    const dir = await tempDir();
    const db = join(dir, 'c.sqlite');
    new CaptureStore({ path: db, maxBytes: 1e6 }).close();
    const r = await cli('data', 'export', '--store', db, '--out', join(dir, 'out'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, images: 0, captures: 0 });
    const missing = await cli('data', 'import', '--store', join(dir, 'nope.sqlite'), '--labels', dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/capture\.store_invalid/);
  });
});
