import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ModelRegistry,
  PromotionRefusedError,
  RegistryError,
  renderComparison,
  runPromote,
  runRollback,
  trustedKeys,
  verifyManifestFile,
} from '../../../fieldloop/index.js';
import { SimClock } from '../../../runtime/index.js';
import { fixtureModel, newKey, tempDir, yoloSplit } from '../helpers.js';

// The fixture models output constant boxes on a 32x32 input (test/fixtures/models/expected.json):
// yolov8: person [4,4,12,12] 0.9 and car [19,17,29,23] 0.7; yolov8-reloaded: car [10,10,22,22] 0.95.
const PERSON_V8 = [0, 4, 4, 12, 12] as const;
const CAR_V8 = [1, 19, 17, 29, 23] as const;
const CAR_RELOADED = [1, 10, 10, 22, 22] as const;
const CAR_NOBODY_SEES = [1, 0, 24, 6, 30] as const;

async function setup() {
  const dir = await tempDir();
  const key = await newKey(dir);
  const v8 = await fixtureModel(join(dir, 'v8'), 'yolov8');
  const reloaded = await fixtureModel(join(dir, 'reloaded'), 'yolov8-reloaded');
  const clock = new SimClock({ startEpochMs: Date.UTC(2026, 0, 1) });
  return { dir, key, v8, reloaded, clock, registry: join(dir, 'registry') };
}

describe('kestrel model promote / rollback', () => {
  it('promotes only a winner, signs it, keeps history, and rolls back to the previous promoted model', async () => {
    const { dir, key, v8, reloaded, clock, registry } = await setup();
    const data = join(dir, 'data');
    // yolov8 finds everything here; yolov8-reloaded finds nothing (mAP50 1.0 vs 0.0).
    await yoloSplit(data, 'val', [
      [PERSON_V8, CAR_V8],
      [PERSON_V8, CAR_V8],
    ]);
    const common = { data, key: key.pemPath, registry, clock, cwd: dir };

    // 1. An empty registry takes its first model without a comparison.
    const first = await runPromote({ ...common, candidate: reloaded.manifestPath });
    expect(first.comparison.current).toBeUndefined();
    expect(first.promoted).toMatchObject({
      entry: expect.stringMatching(/^promoted-0001-/),
      modelSha256: reloaded.sha256,
    });

    // 2. yolov8 beats the registry's current on mAP50: promoted, and current.yaml is its signed manifest.
    await clock.advance(1000);
    const second = await runPromote({ ...common, candidate: v8.manifestPath });
    expect(second.comparison).toMatchObject({ metric: 'map50', current: 0, candidate: 1, promote: true });
    const trusted = trustedKeys([{ id: key.keyId, publicKey: key.publicKeyBase64 }]);
    const current = join(registry, 'current.yaml');
    expect(await verifyManifestFile(current, trusted)).toMatchObject({ modelSha256: v8.sha256, keyId: key.keyId });
    expect(await readFile(current, 'utf8')).toContain(`path: models/${v8.sha256}.onnx`);

    // 3. yolov8-reloaded again: loses, refused with the per-class table; nothing changes.
    const refused = await runPromote({ ...common, candidate: reloaded.manifestPath }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PromotionRefusedError);
    const comparison = (refused as PromotionRefusedError).comparison;
    expect(comparison).toMatchObject({ beats: false, promote: false, current: 1, candidate: 0 });
    expect(renderComparison(comparison)).toMatch(/person\s+2\s+1\.000\s+0\.000\s+-1\.000\s+REGRESSED/);
    expect((await verifyManifestFile(current, trusted)).modelSha256).toBe(v8.sha256);

    // 4. Rollback returns to the model promoted before; a second rollback has nowhere to go.
    const back = await runRollback({ registry, clock, cwd: dir });
    expect(back.from.modelSha256).toBe(v8.sha256);
    expect(back.to.modelSha256).toBe(reloaded.sha256);
    expect((await verifyManifestFile(current, trusted)).modelSha256).toBe(reloaded.sha256);
    await expect(runRollback({ registry, clock, cwd: dir })).rejects.toMatchObject({ code: 'registry.no_previous' });

    const log = (await ModelRegistry.open(registry)).log().map((h) => h.action);
    expect(log).toEqual(['promote', 'promote', 'rollback']);
  }, 30_000);

  it('EXPECTED FAILURE - a candidate that wins overall but regresses a class beyond the tolerance is refused', async () => {
    const { dir, key, v8, reloaded, clock, registry } = await setup();
    const data = join(dir, 'data');
    // yolov8: person AP 1, car AP 0 (mAP 0.5). yolov8-reloaded: person 0, car at most ~0.5 (mAP <= 0.25).
    await yoloSplit(data, 'val', [
      [PERSON_V8, CAR_RELOADED],
      [PERSON_V8, CAR_NOBODY_SEES],
    ]);
    const common = { data, key: key.pemPath, registry, clock, cwd: dir, current: reloaded.manifestPath };
    const err = await runPromote({ ...common, candidate: v8.manifestPath }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromotionRefusedError);
    const c = (err as PromotionRefusedError).comparison;
    expect(c.beats).toBe(true);
    expect(c.regressions).toEqual(['car']);
    expect(err).toMatchObject({
      code: 'promote.refused',
      issues: [{ code: 'class_regressed', path: ['classes', 'car'] }],
    });
    expect((err as Error).message).toMatch(/regresses car by more than 0\.02/);
    // Nothing was written.
    expect((await ModelRegistry.open(registry)).current()).toBeUndefined();

    // The same candidate with a tolerance wide enough for the loss goes through.
    const ok = await runPromote({ ...common, candidate: v8.manifestPath, tolerance: 1 });
    expect(ok.comparison.promote).toBe(true);
  }, 30_000);

  it('EXPECTED FAILURE - a candidate that wins on the new split but loses the original (a guard split) is refused', async () => {
    const { dir, key, v8, reloaded, clock, registry } = await setup();
    // The new scenario: only yolov8-reloaded's car is there, so reloaded wins (mAP50 0.5 vs 0).
    const shifted = join(dir, 'shifted');
    await yoloSplit(shifted, 'val', [[CAR_RELOADED], [CAR_RELOADED]]);
    // The original scenario, where yolov8 (the current model) finds everything and reloaded nothing.
    const original = join(dir, 'original');
    await yoloSplit(original, 'val', [[PERSON_V8, CAR_V8]]);
    const common = { data: shifted, key: key.pemPath, registry, clock, cwd: dir, current: v8.manifestPath };
    const err = await runPromote({ ...common, candidate: reloaded.manifestPath, guards: [original] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PromotionRefusedError);
    expect((err as Error).message).toMatch(/^promotion refused on .*original: the candidate regresses person, car/);
    expect((err as PromotionRefusedError).comparison.regressions).toEqual(['person', 'car']);
    expect((await ModelRegistry.open(registry)).current()).toBeUndefined();

    // A guard where it holds its ground (the shifted split itself) lets it through, and the result lists the guard.
    const ok = await runPromote({ ...common, candidate: reloaded.manifestPath, guards: [shifted] });
    expect(ok.guards).toMatchObject([{ data: shifted, held: true }]);
    expect(ok.text).toContain(`guard ${shifted}:`);
  }, 30_000);

  it('BAD CALL - a key that is not a key fails before any evaluation', async () => {
    const { dir, v8, registry } = await setup();
    const err = await runPromote({
      candidate: v8.manifestPath,
      data: join(dir, 'nowhere'),
      key: v8.manifestPath,
      registry,
      cwd: dir,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'trust.key_invalid' });
  });

  it('EXPECTED FAILURE - rollback of an empty registry', async () => {
    const { dir, registry } = await setup();
    const err = await runRollback({ registry, cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ code: 'registry.empty' });
  });
});
