import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kestrel } from './kestrel-process.js';

describe('kestrel run as a process', () => {
  it('stops cleanly on SIGINT: components stop in order, the run record is flushed, exit 0', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'kestrel-run-')), 'run');
    let sent = false;
    const result = await kestrel(
      ['run', 'missions/examples/firefighting-drone.yaml', '--speed', '1', '--log-level', 'info', '--run-dir', runDir],
      (text, child) => {
        if (!sent && text.includes('"msg":"running"')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(sent).toBe(true);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIGINT: stopping');
    expect(result.stderr).toContain('stopped: operator interrupt (SIGINT)');
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace

    const records = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { topic: string; data: { kind?: string; component?: string; state?: string } });
    expect(records.some((r) => r.data.kind === 'runtime.stopping')).toBe(true);
    const last = new Map<string, string>();
    for (const r of records)
      if (r.topic === 'runtime/health' && r.data.component !== undefined)
        last.set(r.data.component, r.data.state ?? '');
    // Every component's last health record says it stopped (the recorder cannot record its own stop: it closes the file).
    last.delete('run-recorder');
    expect(last.size).toBeGreaterThan(3);
    for (const [component, state] of last) expect(state, component).toBe('stopped');
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as {
      reason: string;
      summary: { process?: { peakRssMb: number; cpuS: number } };
    };
    expect(summary.reason).toBe('operator interrupt (SIGINT)');
    // The run's own process: node, onnxruntime and a 640 x 480 detector session are well over 50 MiB, and
    // a figure in KiB or bytes would be far over 2000.
    expect(summary.summary.process?.peakRssMb).toBeGreaterThan(50);
    expect(summary.summary.process?.peakRssMb).toBeLessThan(2000);
    expect(summary.summary.process?.cpuS).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/process: peak RSS \d+ MB, CPU \d+\.\d s/);
  });

  it('EXPECTED FAILURE - a broken mission is one clear message and exit 1', async () => {
    const result = await kestrel(['run', 'test/fixtures/missions/broken/polygon-too-small.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('guardrails.geofence[2]: polygon needs at least 3 points');
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });
});
