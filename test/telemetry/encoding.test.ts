import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WallClock, decisionsTopic, detectionsTopic, eventsTopic } from '../../runtime/index.js';
import {
  CONTENT_TYPES,
  TelemetryComponent,
  TelemetryError,
  decodePayload,
  decodeRecord,
  encodeRecord,
  encodeRecordMsgpack,
  statusSchema,
  type LocalBroker,
  type PayloadEncoding,
} from '../../telemetry/index.js';
import { componentContext, telemetrySpec } from './context.js';
import { checkStream, subscriber, until, type Received } from './helpers.js';
import { MOSQUITTO_MISSING, hasMosquitto, startMosquitto } from './mosquitto.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-telemetry-encoding-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DETECTIONS = {
  pipeline: 'down',
  camera: 'cam_down',
  model: 'fire-det',
  width: 640,
  height: 480,
  frameStampMs: 1_767_225_600_123,
  detections: [
    { classId: 0, className: 'fire', score: 0.9137, box: { x1: 120.5, y1: 80.25, x2: 180, y2: 140.75 }, trackId: 7 },
    { classId: 1, className: 'person', score: 0.51, box: { x1: -3.5, y1: 0, x2: 12, y2: 40 } },
  ],
  latencyMs: { preprocess: 1.25, inference: 8.7, decode: 0.3 },
};

describe('decodePayload / decodeRecord', () => {
  const json = encodeRecord('"drone-1"', 'detections', 41, 1_767_225_600_000, JSON.stringify(DETECTIONS));
  const packed = encodeRecordMsgpack('drone-1', 'detections', 41, 1_767_225_600_000, JSON.stringify(DETECTIONS));
  const expected = {
    v: 1,
    robot: 'drone-1',
    stream: 'detections',
    seq: 41,
    stampMs: 1_767_225_600_000,
    data: DETECTIONS,
  };

  it('round-trips a record through MessagePack exactly (floats, negatives, 13-digit stamps)', () => {
    expect(decodeRecord('detections', packed, CONTENT_TYPES.msgpack)).toEqual(expected);
    expect(decodeRecord('detections', Buffer.from(json), CONTENT_TYPES.json)).toEqual(expected);
    // MessagePack is the smaller of the two for the same record.
    expect(packed.byteLength).toBeLessThan(Buffer.byteLength(json));
  });

  it('without a content type, tells the encodings apart by the first byte', () => {
    expect(decodePayload(packed)).toEqual(expected);
    expect(decodePayload(Buffer.from(` \n${json}`))).toEqual(expected);
    // Aliases and parameters of the MessagePack media type.
    expect(decodePayload(packed, 'application/x-msgpack')).toEqual(expected);
    expect(decodePayload(Buffer.from(json), 'application/json; charset=utf-8')).toEqual(expected);
  });

  it('EXPECTED FAILURE - bytes that are not what the content type says: telemetry.decode_failed', () => {
    const attempt = (): unknown => decodePayload(Buffer.from(json), CONTENT_TYPES.msgpack);
    expect(attempt).toThrow(TelemetryError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'telemetry.decode_failed' }));
    expect(() => decodePayload(packed, CONTENT_TYPES.json)).toThrow(
      expect.objectContaining({ code: 'telemetry.decode_failed' }),
    );
  });

  it('EXPECTED FAILURE - a well-formed payload that is not a record of that stream fails its schema', () => {
    expect(() => decodeRecord('events', encode({ v: 1, robot: 'x', stream: 'events' }))).toThrow(/seq|stampMs|data/);
  });
});

describe.skipIf(!hasMosquitto)(
  `record encodings over mosquitto${hasMosquitto ? '' : ` (${MOSQUITTO_MISSING})`}`,
  () => {
    let broker: LocalBroker;
    beforeAll(async () => {
      broker = await startMosquitto();
    });
    afterAll(async () => {
      await broker.stop();
    });

    async function roundTrip(encoding: PayloadEncoding | undefined, robotId: string): Promise<Received[]> {
      const gcs = await subscriber(broker.url, `kestrel/${robotId}/#`);
      const clock = new WallClock();
      const { ctx, bus } = componentContext(clock);
      const c = new TelemetryComponent({
        spec: telemetrySpec({
          broker: { url: broker.url, keepaliveS: 15, reconnectMinMs: 100, reconnectMaxMs: 400 },
          buffer: { dir: join(root, robotId), maxMb: 8 },
          ...(encoding === undefined ? {} : { encoding }),
        }),
        robotId,
        baseDir: root,
        stopTimeoutMs: 3_000,
      });
      c.configure(ctx);
      c.start(ctx);
      await until(() => c.linkUp, 10_000, 'the link');
      for (let i = 0; i < 20; i++) bus.publish(detectionsTopic, { ...DETECTIONS, frameStampMs: i });
      bus.publish(eventsTopic, { kind: 'mission.phase', severity: 'info', message: 'searching', data: { lane: 3 } });
      bus.publish(decisionsTopic, {
        proposalId: 'p1',
        source: 'behavior/sweep',
        verdict: 'deny',
        requested: { kind: 'hold' },
        ruleId: 'geofence',
        code: 'geofence.exit_predicted',
        reason: 'would leave the fence in 2.1 s',
        evidence: { marginM: -3.25 },
        decidedAtMs: clock.nowMs(),
      });
      const topic = (s: string): string => `kestrel/${robotId}/${s}`;
      await until(
        () =>
          gcs.messages.filter((m) => m.topic === topic('detections')).length >= 20 &&
          gcs.messages.some((m) => m.topic === topic('decisions')),
        10_000,
        'records at the ground station',
      );
      await c.stop('test');
      await until(
        () =>
          gcs.messages.some(
            (m) => m.topic === topic('status') && (m.payload as { reason?: string }).reason === 'shutdown',
          ),
        5_000,
        'the shutdown status',
      );
      await gcs.client.endAsync();
      return gcs.messages;
    }

    it('msgpack: every record marked application/vnd.msgpack (format indicator 0), decoded exactly, in order', async () => {
      const messages = await roundTrip('msgpack', 'drone-mp');
      const records = messages.filter((m) => /\/(detections|events|decisions)$/.test(m.topic));
      expect(records.length).toBeGreaterThanOrEqual(22);
      for (const m of records) {
        expect(m.contentType).toBe(CONTENT_TYPES.msgpack);
        expect(m.payloadFormatIndicator).toBe(false);
      }
      const detections = records
        .filter((m) => m.topic === 'kestrel/drone-mp/detections')
        .map((m) => ({ topic: m.topic, payload: decodeRecord('detections', m.raw, m.contentType) }));
      checkStream(detections as Received[], 'kestrel/drone-mp/detections', 20);
      expect(detections[7]!.payload.data).toEqual({ ...DETECTIONS, frameStampMs: 7 });
      const decision = decodeRecord(
        'decisions',
        records.find((m) => m.topic.endsWith('/decisions'))!.raw,
        CONTENT_TYPES.msgpack,
      );
      expect(decision.data).toMatchObject({ verdict: 'deny', evidence: { marginM: -3.25 } });
      expect(decodeRecord('events', records.find((m) => m.topic.endsWith('/events'))!.raw).data).toEqual({
        kind: 'mission.phase',
        severity: 'info',
        message: 'searching',
        data: { lane: 3 },
      });
      // Birth and shutdown stay JSON and announce the encoding.
      const statuses = messages.filter((m) => m.topic === 'kestrel/drone-mp/status');
      expect(statuses.map((m) => statusSchema.parse(m.payload).encoding)).toEqual(['msgpack', 'msgpack']);
      expect(statuses.every((m) => m.contentType === CONTENT_TYPES.json && m.payloadFormatIndicator === true)).toBe(
        true,
      );
    });

    it('json (the default): marked application/json with the UTF-8 format indicator; msgpack is smaller', async () => {
      const messages = await roundTrip(undefined, 'drone-js');
      const detections = messages.filter((m) => m.topic === 'kestrel/drone-js/detections');
      checkStream(detections, 'kestrel/drone-js/detections', 20);
      for (const m of detections) {
        expect(m.contentType).toBe(CONTENT_TYPES.json);
        expect(m.payloadFormatIndicator).toBe(true);
      }
      expect(decodeRecord('detections', detections[3]!.raw, detections[3]!.contentType).data).toEqual({
        ...DETECTIONS,
        frameStampMs: 3,
      });
      const status = messages.find((m) => m.topic === 'kestrel/drone-js/status')!;
      expect(statusSchema.parse(status.payload).encoding).toBe('json');
      const jsonBytes = Buffer.byteLength(detections[3]!.raw);
      const packedBytes = encodeRecordMsgpack('drone-js', 'detections', 3, 0, JSON.stringify(DETECTIONS)).byteLength;
      expect(packedBytes).toBeLessThan(jsonBytes);
    });
  },
);
