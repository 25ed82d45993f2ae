import { describe, expect, it } from 'vitest';
import { TriggerEngine } from '../../../fieldloop/capture/triggers.js';
import type { Decision, Detection } from '../../../runtime/index.js';

const det = (score: number, trackId?: number, className = 'fire'): Detection => ({
  classId: 0,
  className,
  score,
  box: { x1: 0, y1: 0, x2: 10, y2: 10 },
  ...(trackId === undefined ? {} : { trackId }),
});

const deny = (frameStampMs: number | undefined, code = 'standoff.too_close'): Decision => ({
  proposalId: 'p-1',
  source: 'behavior/area_search',
  verdict: 'deny',
  requested: { kind: 'payload', on: true },
  ruleId: 'standoff',
  code,
  reason: 'person within 30 m',
  decidedAtMs: 0,
  ...(frameStampMs === undefined ? {} : { basis: { frameStampMs } }),
});

describe('TriggerEngine', () => {
  it('uncertainty: fires on a score in [min, max) for the listed classes, at most once per minIntervalMs', () => {
    const e = new TriggerEngine(
      { uncertainty: { minScore: 0.3, maxScore: 0.5, classes: ['fire'], priority: 1 } },
      1000,
    );
    expect(e.onDetections('cam', 0, [det(0.5), det(0.29)])).toEqual([]);
    expect(e.onDetections('cam', 100, [det(0.3, undefined, 'person')])).toEqual([]);
    const hit = e.onDetections('cam', 200, [det(0.9), det(0.45)]);
    expect(hit).toEqual([
      {
        kind: 'uncertainty',
        camera: 'cam',
        anchorStampMs: 200,
        priority: 1,
        operatorMarked: false,
        detail: { detections: [{ className: 'fire', score: 0.45 }], band: [0.3, 0.5] },
      },
    ]);
    expect(e.onDetections('cam', 1100, [det(0.45)])).toEqual([]);
    expect(e.onDetections('other', 1100, [det(0.45)])).toHaveLength(1);
    expect(e.onDetections('cam', 1200, [det(0.45)])).toHaveLength(1);
  });

  it('flicker: a track seen in fewer than maxFrames frames before vanishing fires, anchored at its first frame', () => {
    const e = new TriggerEngine({ flicker: { maxFrames: 3, goneAfterFrames: 2, priority: 1 } }, 0);
    // Track 1 lives 2 frames (flickers); track 2 lives 5 frames (steady).
    const frames: Detection[][] = [
      [det(0.8, 2)],
      [det(0.8, 1), det(0.8, 2)],
      [det(0.8, 1), det(0.8, 2)],
      [det(0.8, 2)],
      [det(0.8, 2)],
      [],
      [],
    ];
    const hits = frames.flatMap((d, i) => e.onDetections('cam', i * 100, d));
    expect(hits).toEqual([
      expect.objectContaining({
        kind: 'flicker',
        anchorStampMs: 100,
        detail: expect.objectContaining({ trackId: 1, frames: 2, firstStampMs: 100, lastStampMs: 200 }),
      }),
    ]);
  });

  it('guard denial: only denials of actions derived from a frame, optionally by code', () => {
    const e = new TriggerEngine({ guardDenial: { codes: ['standoff.too_close'], priority: 2 } }, 0);
    expect(e.onDecision(deny(undefined))).toBeUndefined();
    expect(e.onDecision(deny(500, 'geofence.exit_predicted'))).toBeUndefined();
    expect(e.onDecision({ ...deny(500), verdict: 'allow' })).toBeUndefined();
    expect(e.onDecision(deny(500))).toMatchObject({
      kind: 'guard_denial',
      camera: undefined,
      anchorStampMs: 500,
      priority: 2,
      detail: { code: 'standoff.too_close', proposalId: 'p-1', action: 'payload' },
    });
  });

  it('operator feedback: marked, never rate-limited, falls back to the newest frame', () => {
    const e = new TriggerEngine({ operatorFeedback: { priority: 3 } }, 10_000);
    const a = e.onFeedback({ mark: 'false_positive', trackId: 4 }, 'alice', { camera: 'cam', stampMs: 900 });
    const b = e.onFeedback({ mark: 'missed_target', camera: 'cam2', frameStampMs: 950 }, 'bob', undefined);
    expect(a).toMatchObject({ kind: 'operator_feedback', camera: 'cam', anchorStampMs: 900, operatorMarked: true });
    expect(a?.detail).toEqual({ operator: 'alice', mark: 'false_positive', trackId: 4 });
    expect(b).toMatchObject({ camera: 'cam2', anchorStampMs: 950, detail: { mark: 'missed_target' } });
    expect(e.onFeedback({ mark: 'missed_target' }, 'bob', undefined)).toBeUndefined();
    expect(
      new TriggerEngine({}, 0).onFeedback({ mark: 'missed_target' }, 'x', { camera: 'c', stampMs: 1 }),
    ).toBeUndefined();
  });

  it('random: the same seed samples the same frames; another seed, others', () => {
    const run = (seed: number): number[] => {
      const e = new TriggerEngine({ random: { probability: 0.1, seed, priority: 0 } }, 0);
      return Array.from({ length: 500 }, (_, i) => i).filter((i) => e.onDetections('cam', i, []).length > 0);
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    expect(a.length).toBeGreaterThan(25);
    expect(a.length).toBeLessThan(80);
  });
});
