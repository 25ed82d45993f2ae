import { z } from 'zod';
import { actionSchema } from '../runtime/index.js';
import type { Priority } from './queue/record.js';

/**
 * The MQTT topic scheme, one tree per robot:
 *
 * | topic                                | payload            | QoS        | retained | notes                                   |
 * | ------------------------------------ | ------------------ | ---------- | -------- | --------------------------------------- |
 * | `<prefix>/<robot>/state`             | state snapshot     | qos.state  | no       | thinned to stateRateHz; MQTT 5 expiry   |
 * | `<prefix>/<robot>/detections`        | detection frame    | qos.records| no       |                                         |
 * | `<prefix>/<robot>/targets`           | world targets      | qos.records| no       |                                         |
 * | `<prefix>/<robot>/decisions`         | guard decision     | qos.records| no       | safety: never evicted from the queue    |
 * | `<prefix>/<robot>/health`            | component health   | qos.records| no       |                                         |
 * | `<prefix>/<robot>/events`            | runtime event      | qos.records| no       | safety: never evicted from the queue    |
 * | `<prefix>/<robot>/status`            | online status      | 1          | yes      | birth on connect, last will, clean death|
 * | `<prefix>/<robot>/cmd/<kind>`        | signed command     | 1          | no       | operator → robot                        |
 * | `<prefix>/<robot>/cmd/ack`           | command ack        | 1          | no       | robot → operator, one per command       |
 *
 * Every record has `v: 1`. Within v1 fields are only added, never renamed or
 * removed, so a receiver parses with these schemas and ignores what it does
 * not know; an incompatible change is `v: 2`. Records go out as JSON or, with
 * `telemetry.encoding: msgpack`, as MessagePack of the same object (see
 * encoding.ts: marked by the MQTT 5 content type, announced on the status
 * topic); status, commands and acks are always JSON.
 *
 * Delivery is at least once: after a reconnect or a restart a record may come
 * twice. `(robot, stream, seq)` identifies a record; `seq` counts from 0 per
 * stream and never repeats, so a receiver drops duplicates and sees a gap
 * only where the robot evicted (state, then records) under its disk bound.
 */

export const SCHEMA_VERSION = 1 as const;

/** Streams the robot publishes, with the eviction class each is queued under. */
export const STREAM_PRIORITY = {
  state: 'state',
  detections: 'record',
  targets: 'record',
  health: 'record',
  decisions: 'safety',
  events: 'safety',
} as const satisfies Record<string, Priority>;

export type StreamName = keyof typeof STREAM_PRIORITY;
export const STREAMS = Object.keys(STREAM_PRIORITY) as StreamName[];

/** Topic names of one robot. */
export interface RobotTopics {
  readonly base: string;
  stream(stream: string): string;
  readonly status: string;
  /** Subscription filter for every command kind (the ack topic matches too and is ignored). */
  readonly commandFilter: string;
  command(kind: string): string;
  readonly commandAck: string;
}

export function robotTopics(prefix: string, robotId: string): RobotTopics {
  if (!/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(prefix)) throw new RangeError(`bad topic prefix "${prefix}"`);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(robotId)) throw new RangeError(`bad robot id "${robotId}"`);
  const base = `${prefix}/${robotId}`;
  return {
    base,
    stream: (stream) => `${base}/${stream}`,
    status: `${base}/status`,
    commandFilter: `${base}/cmd/+`,
    command: (kind) => `${base}/cmd/${kind}`,
    commandAck: `${base}/cmd/ack`,
  };
}

const vec3 = z.object({ x: z.number(), y: z.number(), z: z.number() });

export const stateDataSchema = z.object({
  pose: z
    .object({
      frameId: z.string(),
      positionM: vec3,
      orientation: z.object({ x: z.number(), y: z.number(), z: z.number(), w: z.number() }),
      yawRad: z.number(),
      linearVelocityMps: vec3,
      yawRateRps: z.number(),
      source: z.string(),
      /** Source stamp of the pose, epoch ms. */
      stampMs: z.number(),
    })
    .optional(),
  battery: z
    .object({ percent: z.number(), voltageV: z.number(), currentA: z.number(), stampMs: z.number() })
    .optional(),
});

export const detectionsDataSchema = z.object({
  pipeline: z.string(),
  camera: z.string(),
  model: z.string(),
  width: z.number(),
  height: z.number(),
  frameStampMs: z.number(),
  detections: z.array(
    z.object({
      classId: z.number().int(),
      className: z.string(),
      score: z.number(),
      box: z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() }),
      trackId: z.number().int().optional(),
    }),
  ),
  latencyMs: z.record(z.string(), z.number()),
});

export const targetsDataSchema = z.array(
  z.object({
    id: z.string(),
    className: z.string(),
    positionM: vec3,
    varianceM2: z.object({ x: z.number(), y: z.number() }),
    confidence: z.number(),
    lastSeenMs: z.number(),
  }),
);

export const decisionDataSchema = z.object({
  proposalId: z.string(),
  source: z.string(),
  verdict: z.enum(['allow', 'modify', 'deny']),
  action: actionSchema.optional(),
  requested: actionSchema,
  ruleId: z.string(),
  code: z.string(),
  reason: z.string(),
  evidence: z.record(z.string(), z.unknown()).optional(),
  decidedAtMs: z.number(),
});

/** The disk queue as the telemetry component sees it, on its own health records. */
export const queueHealthSchema = z.object({
  /** Records waiting to be delivered (or, without a broker, kept). */
  records: z.number().int().nonnegative(),
  /** Logical bytes they take against the bound. */
  bytes: z.number().nonnegative(),
  /** The bound, bytes (buffer.maxMb). */
  maxBytes: z.number().nonnegative(),
  /** Age of the oldest waiting record by its source stamp, ms; 0 when none wait. */
  oldestPendingAgeMs: z.number().nonnegative(),
  /** Records evicted under the bound since the previous report. */
  evictedSinceLastReport: z.number().int().nonnegative(),
  /** Records refused (the queue full of safety records) since the previous report. */
  refusedSinceLastReport: z.number().int().nonnegative(),
  linkUp: z.boolean(),
});
export type QueueHealth = z.infer<typeof queueHealthSchema>;

export const healthDataSchema = z.object({
  component: z.string(),
  state: z.enum(['starting', 'ok', 'degraded', 'failed', 'stopped']),
  reason: z.string().optional(),
  code: z.string().optional(),
  sinceMs: z.number(),
  /** Only on the telemetry component's own reports (every queueHealth.reportIntervalS). */
  queue: queueHealthSchema.optional(),
});

export const eventDataSchema = z.object({
  kind: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

function recordSchema<S extends StreamName, D extends z.ZodType>(stream: S, data: D) {
  return z.object({
    v: z.literal(SCHEMA_VERSION),
    robot: z.string(),
    stream: z.literal(stream),
    /** Per-stream sequence number from 0; never repeats. */
    seq: z.number().int().nonnegative(),
    /** Source time of the record, epoch ms. */
    stampMs: z.number(),
    data,
  });
}

/** Parsers for what arrives on `<prefix>/<robot>/<stream>`, by stream. */
export const recordSchemas = {
  state: recordSchema('state', stateDataSchema),
  detections: recordSchema('detections', detectionsDataSchema),
  targets: recordSchema('targets', targetsDataSchema),
  decisions: recordSchema('decisions', decisionDataSchema),
  health: recordSchema('health', healthDataSchema),
  events: recordSchema('events', eventDataSchema),
} as const;

export type StateData = z.infer<typeof stateDataSchema>;
export type TelemetryRecord<S extends StreamName> = z.infer<(typeof recordSchemas)[S]>;

/** Retained on `<prefix>/<robot>/status`: birth (online), death by will (`lost`) or by clean stop (`shutdown`). */
export const statusSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  robot: z.string(),
  online: z.boolean(),
  reason: z.enum(['birth', 'lost', 'shutdown']),
  /** When the status was written, epoch ms (for `lost`: when the connection it belongs to was opened). */
  stampMs: z.number(),
  /** Payload encoding of the record streams (the status itself is always JSON). */
  encoding: z.enum(['json', 'msgpack']),
});
export type Status = z.infer<typeof statusSchema>;

/** On `<prefix>/<robot>/cmd/ack`: one per command received, accepted or not. */
export const commandAckSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  robot: z.string(),
  /** Null when the command was too malformed to name one. */
  commandId: z.string().nullable(),
  operator: z.string().nullable(),
  accepted: z.boolean(),
  /** `command.accepted` or the rejection code, e.g. `command.bad_signature`. */
  code: z.string(),
  reason: z.string(),
  stampMs: z.number(),
});
export type CommandAck = z.infer<typeof commandAckSchema>;

/**
 * Encodes a queued record's wire payload without re-parsing its data: the data
 * was serialised once, when it was queued.
 */
export function encodeRecord(robotJson: string, stream: string, seq: number, stampMs: number, data: string): string {
  return `{"v":1,"robot":${robotJson},"stream":${JSON.stringify(stream)},"seq":${seq},"stampMs":${stampMs},"data":${data}}`;
}
