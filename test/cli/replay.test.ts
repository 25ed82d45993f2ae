import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.js';
import { repoRoot } from '../hardware/bag/paths.js';
import { writeReplayFixture } from '../hardware/fixtures/replay-bag.js';

function io(): { out: string; err: string; io: Parameters<typeof runCli>[1] } {
  const r = {
    out: '',
    err: '',
    io: { out: (s: string) => void (r.out += s), err: (s: string) => void (r.err += s), interactive: false },
  };
  return r;
}

const MODEL = join(repoRoot, 'test', 'fixtures', 'models', 'yolov8.onnx');
let dir: string;
let fixture: { bag: string; mission: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-cli-replay-'));
  fixture = await writeReplayFixture(dir, MODEL);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface JsonSummary {
  ok: boolean;
  reason: string;
  sensors: Record<string, { published: number }>;
  detections: { frames: number; total: number; digest: string };
  decisions: { allow: number; modify: number; deny: number; digest: string };
  recorded?: { path: string; messages: number };
}

async function replayJson(args: string[]): Promise<JsonSummary> {
  const r = io();
  const code = await runCli(['replay', ...args, '--json', '--log-level', 'silent'], r.io);
  expect(r.err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(r.out) as JsonSummary;
}

describe('kestrel replay', () => {
  it('prints messages per topic, detections and guard decisions', async () => {
    const r = io();
    const code = await runCli(
      ['replay', fixture.bag, '--mission', fixture.mission, '--speed', 'max', '--log-level', 'silent'],
      r.io,
    );
    expect(code).toBe(0);
    expect(r.out).toContain('through mission replay-test: ended');
    expect(r.out).toMatch(/cam\s+\/camera\/image_raw\s+20\s+0/);
    expect(r.out).toMatch(/gps\s+\/fix\s+1\s+1 gnss\.no_fix/);
    expect(r.out).toContain('detections: 40 in 20 frames (20 car, 20 person)');
    expect(r.out).toMatch(/guard: \d+ allowed, \d+ modified, \d+ denied/);
  });

  it('--record then replaying the recording: the same detections and decisions (--json digests)', async () => {
    const out = join(dir, 'cli-recorded.mcap');
    const first = await replayJson([fixture.bag, '-m', fixture.mission, '--speed', 'max', '--record', out]);
    expect(existsSync(out)).toBe(true);
    expect(first.recorded?.messages).toBeGreaterThan(165);
    const second = await replayJson([out, '-m', fixture.mission, '--speed', '50x']);
    expect(second.detections).toEqual(first.detections);
    expect(second.decisions).toEqual(first.decisions);
    expect(second.sensors).toEqual(first.sensors);
  });

  it('BAD CALL - a speed of 0 or "fast" is a usage error (exit 2)', async () => {
    for (const speed of ['0', 'fast', '-2x']) {
      const r = io();
      expect(await runCli(['replay', fixture.bag, '-m', fixture.mission, '--speed', speed], r.io)).toBe(2);
      expect(r.err).toContain('expected a factor > 0');
    }
  });

  it('BAD CALL - --loop without --duration off a terminal is a usage error', async () => {
    const r = io();
    expect(await runCli(['replay', fixture.bag, '-m', fixture.mission, '--loop'], r.io)).toBe(2);
    expect(r.err).toContain('--loop without --duration');
  });

  it('EXPECTED FAILURE - a missing bag exits 1 naming bag.not_found', async () => {
    const r = io();
    expect(await runCli(['replay', join(dir, 'nope.mcap'), '-m', fixture.mission, '--json'], r.io)).toBe(1);
    expect(r.out + r.err).toContain('bag.not_found');
  });

  it('EXPECTED FAILURE - a mission with no topic in the bag exits 1 with replay.no_topics', async () => {
    const mission = join(dir, 'sim-only.yaml');
    writeFileSync(mission, readFileSync(fixture.mission, 'utf8').replaceAll('topic: /', 'topic: /elsewhere/'));
    const r = io();
    expect(await runCli(['replay', fixture.bag, '-m', resolve(mission), '--json'], r.io)).toBe(1);
    expect(r.out + r.err).toContain('replay.no_topics');
  });
});
