import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.js';
import { openBag } from '../../hardware/index.js';
import { repoRoot } from '../hardware/bag/paths.js';

function io(): { out: string; err: string; io: Parameters<typeof runCli>[1] } {
  const r = {
    out: '',
    err: '',
    io: { out: (s: string) => void (r.out += s), err: (s: string) => void (r.err += s), interactive: false },
  };
  return r;
}

let dir: string;
let mission: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-run-record-'));
  // The firefighting example with its model paths made absolute (the copy lives in a temp folder).
  const text = readFileSync(join(repoRoot, 'missions', 'examples', 'firefighting-drone.yaml'), 'utf8').replaceAll(
    '../../models/',
    `${join(repoRoot, 'models')}/`,
  );
  mission = join(dir, 'fire.yaml');
  writeFileSync(mission, text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RunJson {
  ok: boolean;
  summary: { decisions: { allow: number; modify: number; deny: number } };
}
interface ReplayJson {
  ok: boolean;
  sensors: Record<string, { topic: string; published: number; rejected: Record<string, number> }>;
  unmapped: unknown[];
  detections: { frames: number; total: number; byClass: Record<string, number> };
  decisions: { allow: number; modify: number; deny: number; byCode: Record<string, number> };
}

describe('kestrel run --record, then kestrel replay', () => {
  it('writes a rosbag2 MCAP whose replay gives the same detections and decisions', async () => {
    const out = join(dir, 'out.mcap');
    const run = io();
    const code = await runCli(
      [
        'run',
        mission,
        '--duration',
        '20',
        '--speed',
        'max',
        '--json',
        '--log-level',
        'silent',
        '--run-dir',
        join(dir, 'run'),
        '--record',
        out,
      ],
      run.io,
    );
    expect(code).toBe(0);
    const ran = JSON.parse(run.out) as RunJson;
    expect(existsSync(out)).toBe(true);

    const reader = await openBag(out);
    const topics = new Map(reader.info.topics.map((t) => [t.name, t]));
    const counts: Record<string, number> = {};
    for await (const m of reader.messages({ topics: ['/kestrel/detections', '/kestrel/decisions'] }))
      counts[m.topic] = (counts[m.topic] ?? 0) + 1;
    await reader.close();
    expect(reader.info.storage).toBe('mcap');
    expect(topics.get('/kestrel/sensors/cam_down')?.type).toBe('sensor_msgs/msg/Image');
    expect(topics.get('/kestrel/sensors/imu')?.type).toBe('sensor_msgs/msg/Imu');
    expect(topics.get('/kestrel/sensors/gnss')?.type).toBe('sensor_msgs/msg/NavSatFix');
    expect(topics.get('/kestrel/sensors/battery')?.type).toBe('sensor_msgs/msg/BatteryState');

    const rep = io();
    expect(
      await runCli(['replay', out, '--mission', mission, '--speed', 'max', '--json', '--log-level', 'silent'], rep.io),
    ).toBe(0);
    const replayed = JSON.parse(rep.out) as ReplayJson;
    expect(replayed.unmapped).toEqual([]);
    expect(replayed.sensors['cam_down']?.topic).toBe('/kestrel/sensors/cam_down');
    expect(replayed.detections.frames).toBe(counts['/kestrel/detections'] ?? 0);
    const d = replayed.decisions;
    const r = ran.summary.decisions;
    // The recording carries the run's own span, so the replay starts and ends where the run did
    // and sees the run's last behavior tick too: the same decisions, exactly.
    const span = reader.info.recording;
    expect(span).toBeDefined();
    // The run's 20 s (takeoff, then the first search leg), wider than its messages' span on both sides.
    expect(Number((span?.endNs ?? 0n) - (span?.startNs ?? 0n)) / 1e9).toBeCloseTo(20, 1);
    expect(span?.startNs).toBeLessThan(reader.info.startNs ?? 0n);
    expect(span?.endNs).toBeGreaterThanOrEqual(reader.info.endNs ?? 0n);
    expect({ allow: d.allow, modify: d.modify, deny: d.deny }).toEqual({
      allow: r.allow,
      modify: r.modify,
      deny: r.deny,
    });
    expect(d.allow + d.modify + d.deny).toBeGreaterThan(20);
    expect(replayed.detections.frames).toBeGreaterThan(20);
  }, 120_000);
});
