import { describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.js';
import { sensorsDb3, sensorsMcap } from './paths.js';

function io(): { out: string; err: string; io: Parameters<typeof runCli>[1] } {
  const r = {
    out: '',
    err: '',
    io: {
      out: (s: string) => void (r.out += s),
      err: (s: string) => void (r.err += s),
      interactive: false,
    },
  };
  return r;
}

describe('kestrel bag info', () => {
  it('prints topics, types, counts and the span of an MCAP bag', async () => {
    const r = io();
    expect(await runCli(['bag', 'info', sensorsMcap], r.io)).toBe(0);
    expect(r.out).toContain('storage:     mcap');
    expect(r.out).toContain('messages:    22');
    expect(r.out).toContain('start:       2023-11-14T22:13:20.000Z  (1700000000.000000000 s)');
    expect(r.out).toContain('duration:    2.000 s');
    expect(r.out).toMatch(/\/imu\s+sensor_msgs\/msg\/Imu\s+10\s+cdr\s+bag/);
  });

  it('--json gives exact ns as strings and says where each definition comes from', async () => {
    const r = io();
    expect(await runCli(['bag', 'info', sensorsDb3, '--json'], r.io)).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j).toMatchObject({
      ok: true,
      storage: 'sqlite3',
      messageCount: 6,
      startTimeNs: '1700000000000000000',
      endTimeNs: '1700000001000000000',
      durationS: 1,
    });
    expect(j.topics).toContainEqual({
      name: '/image',
      type: 'sensor_msgs/Image',
      serializationFormat: 'cdr',
      messageCount: 1,
      definition: 'builtin',
    });
  });

  it('EXPECTED FAILURE - a missing bag is one line with its code and exit 1', async () => {
    const r = io();
    expect(await runCli(['bag', 'info', '/no/such.mcap'], r.io)).toBe(1);
    expect(r.err).toBe('error [bag.not_found]: no bag at /no/such.mcap\n');
  });
});
