/**
 * Conformance: the shared sqlite3 sample (a Dashing-era bag: old-style type
 * names, no stored definitions, 640x480 rgb8 /image, messages days apart)
 * replayed through a mission whose camera pipeline runs Kestrel's sim
 * detector. Skipped when ../shared is absent (a fresh clone).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../../hardware/index.js';
import { createRuntime, detectionsTopic, loadMissionFile, reliable, silentLogger } from '../../../index.js';
import type { DetectionFrame } from '../../../index.js';
import { repoRoot } from '../bag/paths.js';

const SAMPLE = path.resolve(repoRoot, '../shared/reference/bags/sample.db3');

describe.skipIf(!existsSync(path.resolve(repoRoot, '../shared/reference')))('replay of the shared sample.db3', () => {
  it('runs the camera pipeline on its /image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-sample-replay-'));
    try {
      const mission = join(dir, 'sample.yaml');
      writeFileSync(
        mission,
        `apiVersion: kestrel/v1
mission: { id: sample-db3, version: 1.0.0 }
platform: { kind: ground, id: rover-sample, maxSpeedMps: 1 }
sensors:
  - { id: cam, type: camera, source: { kind: ros2, topic: /image }, rateHz: 10, width: 640, height: 480 }
  - { id: imu, type: imu, source: { kind: ros2, topic: /imu }, rateHz: 100 }
  - { id: gps, type: gnss, source: { kind: ros2, topic: /fix }, rateHz: 1 }
models:
  - { id: det, manifest: ${join(repoRoot, 'models', 'kestrel-sim-det.yaml')} }
perception:
  pipelines:
    - { id: front, camera: cam, model: det }
guardrails:
  speed: { maxLinearMps: 1 }
behavior: { kind: hold }
`,
      );
      const frames: DetectionFrame[] = [];
      const r = await runReplay({
        loaded: await loadMissionFile(mission),
        bagPath: SAMPLE,
        createRuntime,
        speed: Infinity,
        logger: silentLogger(),
        onRuntime: (rt) =>
          void rt.bus.subscribe(detectionsTopic, (m) => void frames.push(m.data), { policy: reliable() }),
      });
      expect(r.storage).toBe('sqlite3');
      expect(r.sensors['cam']).toEqual({ topic: '/image', published: 1, rejected: {} });
      // Its NavSatFix is NO_FIX with NaN: counted and dropped, never fused.
      expect(r.sensors['gps']).toEqual({ topic: '/fix', published: 0, rejected: { 'gnss.no_fix': 1 } });
      // The detector ran on the one 640x480 frame (letterboxed to its 320x320 input).
      expect(r.detections.frames).toBe(1);
      expect(frames[0]).toMatchObject({ camera: 'cam', model: 'det', width: 640, height: 480 });
      // Six days between the first and last message replay in seconds (silences cut to 1 s).
      expect(r.replayS).toBeLessThan(5);
      console.log(
        `sample.db3 replay: sensors ${JSON.stringify(r.sensors)}; detections ${JSON.stringify(r.detections.byClass)}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
