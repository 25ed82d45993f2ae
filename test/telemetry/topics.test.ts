import { describe, expect, it } from 'vitest';
import { STREAMS, STREAM_PRIORITY, encodeRecord, recordSchemas, robotTopics } from '../../telemetry/index.js';

describe('topic scheme', () => {
  it('lays out one tree per robot', () => {
    const t = robotTopics('kestrel', 'drone-1');
    expect(t.stream('state')).toBe('kestrel/drone-1/state');
    expect(t.status).toBe('kestrel/drone-1/status');
    expect(t.commandFilter).toBe('kestrel/drone-1/cmd/+');
    expect(t.command('estop')).toBe('kestrel/drone-1/cmd/estop');
    expect(t.commandAck).toBe('kestrel/drone-1/cmd/ack');
  });

  it('BAD CALL - wildcards in the prefix or robot id are a RangeError', () => {
    expect(() => robotTopics('kestrel/#', 'drone-1')).toThrow(RangeError);
    expect(() => robotTopics('kestrel', 'drone+1')).toThrow(RangeError);
  });

  it('classes events and decisions as safety, state as state', () => {
    expect(STREAM_PRIORITY.events).toBe('safety');
    expect(STREAM_PRIORITY.decisions).toBe('safety');
    expect(STREAM_PRIORITY.state).toBe('state');
    expect(STREAMS).toHaveLength(6);
  });

  it('encodes a queued record into a payload its stream schema parses', () => {
    const data = JSON.stringify({ kind: 'x', severity: 'critical', message: 'm' });
    const payload = JSON.parse(encodeRecord(JSON.stringify('drone-1'), 'events', 7, 123.5, data)) as unknown;
    expect(recordSchemas.events.parse(payload)).toEqual({
      v: 1,
      robot: 'drone-1',
      stream: 'events',
      seq: 7,
      stampMs: 123.5,
      data: JSON.parse(data),
    });
  });
});
