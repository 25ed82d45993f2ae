/**
 * Zero loss through kill -9: a child process publishes numbered records
 * through the durable queue; it is SIGKILLed mid-stream and started again on
 * the same queue; the subscriber must see every sequence number, in order
 * once duplicates (at least once) are dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusSchema, type LocalBroker } from '../../telemetry/index.js';
import { checkStream, subscriber, until, type Received } from './helpers.js';
import { MOSQUITTO_MISSING, hasMosquitto, startMosquitto } from './mosquitto.js';

const TOTAL = 1_000;
const KILL_AFTER = 400;
const script = fileURLToPath(new URL('./fixtures/publisher.ts', import.meta.url));

interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startChild(dir: string, url: string): Child {
  // tsx as a loader in this node, not `npx tsx`: npx and the tsx CLI each put a process in between,
  // and SIGKILL to the wrapper would leave the real publisher running.
  const proc = spawn(process.execPath, ['--import', 'tsx', script, dir, url, String(TOTAL)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  let err = '';
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`publisher exited ${code}: ${err}\n`);
      resolve(code);
    }),
  );
  return { proc, lines, exited };
}

function lastAccepted(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^accepted (\d+)$/.exec(lines[i]!);
    if (m !== null) return Number(m[1]);
  }
  return 0;
}

describe.skipIf(!hasMosquitto)(
  `telemetry survives kill -9 of the robot process${hasMosquitto ? '' : ` (${MOSQUITTO_MISSING})`}`,
  () => {
    let broker: LocalBroker;
    let dir: string;
    beforeAll(async () => {
      broker = await startMosquitto();
      dir = mkdtempSync(join(tmpdir(), 'kestrel-kill9-'));
    });
    afterAll(async () => {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers every accepted record, in order per stream, across a SIGKILL and restart', async () => {
      const sub = await subscriber(broker.url, 'kestrel/drone-k9/#');
      const first = startChild(dir, broker.url);
      await until(
        () => lastAccepted(first.lines) >= KILL_AFTER,
        30_000,
        `the publisher to accept ${KILL_AFTER} records`,
      );
      first.proc.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      // Everything the killed process reported as accepted was fsynced before the report.
      const acceptedBeforeKill = lastAccepted(first.lines);
      expect(acceptedBeforeKill).toBeLessThan(TOTAL);

      const second = startChild(dir, broker.url);
      expect(await second.exited).toBe(0);
      const resumed = Number(/^resumed (\d+)$/.exec(second.lines[0] ?? '')?.[1]);
      expect(resumed).toBeGreaterThanOrEqual(acceptedBeforeKill);
      expect(second.lines.at(-1)).toBe('drained');

      const count = (topic: string): number =>
        new Set(sub.messages.filter((m) => m.topic === topic).map((m) => (m.payload as { seq: number }).seq)).size;
      await until(
        () => count('kestrel/drone-k9/events') === TOTAL && count('kestrel/drone-k9/detections') === TOTAL,
        10_000,
        'every record at the subscriber',
      );
      checkStream(sub.messages, 'kestrel/drone-k9/events', TOTAL);
      checkStream(sub.messages, 'kestrel/drone-k9/detections', TOTAL);

      // Birth, death by last will (the kill), birth again, clean shutdown.
      const statuses = sub.messages
        .filter((m: Received) => m.topic === 'kestrel/drone-k9/status')
        .map((m) => statusSchema.parse(m.payload).reason);
      expect(statuses).toEqual(expect.arrayContaining(['birth', 'lost', 'shutdown']));
      expect(statuses.indexOf('lost')).toBeGreaterThan(statuses.indexOf('birth'));
      expect(statuses.at(-1)).toBe('shutdown');
      await sub.client.endAsync();
    });
  },
);
