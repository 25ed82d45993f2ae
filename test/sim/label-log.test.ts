import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missionSchema, type Mission } from '../../missions/index.js';
import {
  Lifecycle,
  MessageBus,
  Services,
  SimClock,
  reliable,
  sensorTopic,
  silentLogger,
  type AssemblyContext,
  type Component,
} from '../../runtime/index.js';
import { simPlugin, type SimLabelRecord } from '../../sim/index.js';
import { tempDir } from '../fieldloop/tmp.js';
import { drone } from './fixtures.js';

function nightMission(labelLog: string | undefined): Mission {
  return missionSchema.parse({
    apiVersion: 'kestrel/v1',
    mission: { id: 'label-log-test', version: '1.0.0' },
    platform: drone,
    simulation: { scenario: 'forest-fire-night', seed: 3, stepMs: 10, ...(labelLog === undefined ? {} : { labelLog }) },
    sensors: [
      {
        id: 'cam',
        type: 'camera',
        source: { kind: 'sim' },
        rateHz: 15,
        width: 96,
        height: 72,
        fovDeg: 90,
        mount: { rpyDeg: [0, 90, 0] },
      },
    ],
    guardrails: {},
    behavior: { kind: 'hold' },
    actuator: { kind: 'sim' },
  });
}

function components(m: Mission, baseDir: string): Component[] {
  const asm: AssemblyContext = { mission: m, baseDir, clock: new SimClock(), logger: silentLogger() };
  const out: Component[] = [...(simPlugin.simulation!(m.simulation!, asm) as readonly Component[])];
  for (const s of m.sensors) out.push(simPlugin.sources!.sim!(s, asm) as Component);
  return out;
}

/** Runs the mission's sim components for `seconds` of sim time; returns the camera's frame stamps. */
async function run(m: Mission, baseDir: string, seconds: number): Promise<{ names: string[]; stamps: number[] }> {
  const clock = new SimClock();
  const bus = new MessageBus({ clock });
  const comps = components(m, baseDir);
  const lifecycle = new Lifecycle(comps, { bus, clock, logger: silentLogger(), services: new Services() });
  const stamps: number[] = [];
  bus.subscribe(
    sensorTopic('camera', 'cam'),
    (e) => {
      stamps.push(e.stampMs);
    },
    {
      policy: reliable(),
      subscriber: 'test',
    },
  );
  await lifecycle.start();
  for (let t = 0; t < seconds * 10; t++) await clock.advance(100);
  await lifecycle.stop('test done');
  await bus.drain();
  return { names: comps.map((c) => c.name), stamps };
}

describe('sim label log (simulation.labelLog)', () => {
  it('writes one ground-truth line per camera frame, keyed by the frame stamp', async () => {
    const dir = await tempDir('kestrel-label-log-');
    const m = nightMission('out/labels.jsonl');
    const { names, stamps } = await run(m, dir, 2);
    expect(names).toContain('sim-label-log');
    const lines = (await readFile(join(dir, 'out/labels.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SimLabelRecord);
    expect(stamps.length).toBeGreaterThan(20);
    // Every frame delivered to perception has its line (the log may also hold the last frame still in flight).
    const logged = new Set(lines.map((l) => l.stampMs));
    for (const s of stamps) expect(logged.has(s)).toBe(true);
    for (const l of lines) {
      expect(l.camera).toBe('cam');
      expect([l.width, l.height]).toEqual([96, 72]);
      for (const b of l.boxes) {
        expect(['fire', 'smoke', 'person', 'vehicle']).toContain(b.cls);
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.x + b.w).toBeLessThanOrEqual(96 + 1e-6);
      }
    }
  });

  it('is off unless the mission asks for it', async () => {
    const dir = await tempDir('kestrel-label-log-');
    const { names } = await run(nightMission(undefined), dir, 0.2);
    expect(names).not.toContain('sim-label-log');
  });
});
