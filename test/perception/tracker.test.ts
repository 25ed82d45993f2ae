import { describe, expect, it } from 'vitest';
import { Tracker } from '../../perception/index.js';
import type { Detection } from '../../perception/index.js';

/** A person box centred at (cx, cy), 40 x 80 px. */
function person(cx: number, cy: number, score = 0.9): Detection {
  return { classId: 0, className: 'person', score, box: { x1: cx - 20, y1: cy - 40, x2: cx + 20, y2: cy + 40 } };
}

const FRAME_MS = 100; // 10 Hz camera

describe('tracker (ByteTrack-style)', () => {
  it('keeps both ids through a crossing', () => {
    const tracker = new Tracker();
    let t = 0;
    const ids: { a: number[]; b: number[] } = { a: [], b: [] };
    // A walks right from x=100, B walks left from x=400, 15 px per frame; they pass at x=250 around frame 10.
    for (let f = 0; f <= 20; f++, t += FRAME_MS) {
      const ax = 100 + 15 * f;
      const bx = 400 - 15 * f;
      const dets = [person(ax, 200), person(bx, 205, 0.85)];
      // Detection order flips on odd frames: ids must not depend on it.
      const out = tracker.update(f % 2 === 1 ? dets.reverse() : dets, t);
      // A walks at y=200, B at y=205: tell them apart by row, since x coincides mid-crossing.
      const byY = (y: number): number | undefined =>
        out.find((d) => Math.abs((d.box.y1 + d.box.y2) / 2 - y) < 1e-9)?.trackId;
      const a = byY(200);
      const b = byY(205);
      if (a !== undefined) ids.a.push(a);
      if (b !== undefined) ids.b.push(b);
    }
    expect(new Set(ids.a).size).toBe(1);
    expect(new Set(ids.b).size).toBe(1);
    expect(ids.a[0]).not.toBe(ids.b[0]);
    expect(ids.a).toHaveLength(21);
  });

  it('keeps the id through a short occlusion and reports the gap as lost', () => {
    const tracker = new Tracker({ maxLostMs: 1000 });
    let t = 0;
    // 0–0.5 s: visible, moving 10 px per frame.
    let first: number | undefined;
    for (let f = 0; f < 5; f++, t += FRAME_MS) first = tracker.update([person(100 + 10 * f, 200)], t)[0]?.trackId;
    expect(first).toBe(1);
    // 0.5–0.9 s: behind a pole; no detections. The track is lost, not removed.
    for (let f = 5; f < 9; f++, t += FRAME_MS) expect(tracker.update([], t)).toEqual([]);
    expect(tracker.tracks()).toMatchObject([{ trackId: 1, state: 'lost' }]);
    // 0.9 s: back where constant velocity puts it.
    const back = tracker.update([person(100 + 10 * 9, 200)], t);
    expect(back).toHaveLength(1);
    expect(back[0]?.trackId).toBe(1);
    expect(back[0]?.trackAgeMs).toBe(900);
    expect(tracker.tracks()[0]?.state).toBe('tracked');
  });

  it('removes a track lost for longer than maxLostMs and gives a newcomer a new id', () => {
    const tracker = new Tracker({ maxLostMs: 300 });
    tracker.update([person(100, 200)], 0);
    tracker.update([], 100);
    tracker.update([], 500);
    expect(tracker.tracks()).toEqual([]);
    tracker.update([person(100, 200)], 600);
    // New tracks after the first frame are tentative until matched again.
    expect(tracker.update([person(100, 200)], 700)[0]?.trackId).toBe(2);
  });

  it('keeps a track alive on low-score boxes (partial occlusion) but never starts one from them', () => {
    const tracker = new Tracker();
    tracker.update([person(100, 200, 0.9)], 0);
    const out = tracker.update([person(101, 200, 0.3), person(400, 200, 0.3)], 100);
    expect(out.map((d) => d.trackId)).toEqual([1]);
    expect(tracker.tracks()).toHaveLength(1);
  });

  it('does not pair different classes', () => {
    const tracker = new Tracker();
    tracker.update([person(100, 200)], 0);
    const car: Detection = { ...person(100, 200), classId: 2, className: 'car' };
    tracker.update([car], 100);
    const out = tracker.update([car], 200);
    expect(out[0]?.trackId).toBe(2);
  });

  it('estimates velocity in pixels per second', () => {
    const tracker = new Tracker();
    for (let f = 0; f < 20; f++) tracker.update([person(100 + 5 * f, 200)], f * 50);
    const v = tracker.tracks()[0]!.velocityPxPerS;
    expect(v.x).toBeGreaterThan(90); // true 100 px/s
    expect(v.x).toBeLessThan(110);
    expect(Math.abs(v.y)).toBeLessThan(5);
  });

  it('EXPECTED FAILURE - under the default 0.5 a box the model scores 0.35 never starts a track; at the model score it does', () => {
    // A big fire seen low: the model reports it at 0.3-0.5 in every frame, with shifting boxes.
    const frames = [0.35, 0.42, 0.38, 0.4];
    const fixed = new Tracker();
    const published = frames.flatMap((s, i) => fixed.update([person(100 + 3 * i, 200, s)], i * FRAME_MS));
    expect(published).toEqual([]);
    const atModelScore = new Tracker({ highScoreThreshold: 0.3, newTrackThreshold: 0.3 });
    const out = frames.map((s, i) => atModelScore.update([person(100 + 3 * i, 200, s)], i * FRAME_MS));
    // Born on the first frame (which confirms at once), then the same track in every frame.
    expect(out.map((o) => o.map((d) => d.trackId))).toEqual([[1], [1], [1], [1]]);
  });
});
