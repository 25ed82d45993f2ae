import { Decoder, Encoder } from '@msgpack/msgpack';
import type { z } from 'zod';
import { TelemetryError } from './errors.js';
import { recordSchemas, SCHEMA_VERSION, type StreamName, type TelemetryRecord } from './topics.js';

/**
 * Wire encodings of the record streams. Both carry the same v1 record
 * (`{v, robot, stream, seq, stampMs, data}`), so the encoding is not a schema
 * version: a receiver tells them apart by the MQTT 5 content type (or, from a
 * broker that drops properties, by the first byte: JSON starts with `{`).
 */
export type PayloadEncoding = 'json' | 'msgpack';

/** MQTT 5 content type per encoding. */
export const CONTENT_TYPES: Readonly<Record<PayloadEncoding, string>> = {
  json: 'application/json',
  msgpack: 'application/vnd.msgpack',
};

/** Other names MessagePack goes by; accepted when decoding. */
const MSGPACK_TYPES = new Set(['application/vnd.msgpack', 'application/msgpack', 'application/x-msgpack']);

/** What the link sets per message: the content type and the MQTT 5 payload format indicator (true: UTF-8 text). */
export interface PayloadMarking {
  readonly contentType: string;
  readonly utf8: boolean;
}

export const PAYLOAD_MARKING: Readonly<Record<PayloadEncoding, PayloadMarking>> = {
  json: { contentType: CONTENT_TYPES.json, utf8: true },
  msgpack: { contentType: CONTENT_TYPES.msgpack, utf8: false },
};

// One encoder and decoder for the process: each keeps a scratch buffer and a key cache between calls.
const encoder = new Encoder();
const decoder = new Decoder();

/**
 * A queued record as MessagePack. The data was stored as JSON text, so it is
 * parsed once here; the queue on disk stays JSON either way.
 */
export function encodeRecordMsgpack(robot: string, stream: string, seq: number, stampMs: number, data: string): Buffer {
  const bytes = encoder.encode({ v: SCHEMA_VERSION, robot, stream, seq, stampMs, data: JSON.parse(data) as unknown });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes a payload from a Kestrel topic, JSON or MessagePack, by its MQTT 5
 * content type (`packet.properties.contentType` in mqtt.js) or, when that is
 * absent, by its first byte. Throws `telemetry.decode_failed` on bytes that are
 * neither.
 *
 * @example
 * client.on('message', (topic, payload, packet) => {
 *   const record = decodePayload(payload, packet.properties?.contentType);
 * });
 */
export function decodePayload(payload: Uint8Array, contentType?: string): unknown {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  const msgpack = type === undefined ? !looksLikeJson(payload) : MSGPACK_TYPES.has(type);
  try {
    if (msgpack) return decoder.decode(payload);
    return JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')) as unknown;
  } catch (error) {
    throw new TelemetryError(
      'telemetry.decode_failed',
      `cannot decode a ${payload.byteLength}-byte ${msgpack ? 'MessagePack' : 'JSON'} payload: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * Decodes and validates a record of one stream (what arrives on
 * `<prefix>/<robot>/<stream>`), whatever its encoding.
 *
 * @example
 * const detections = decodeRecord('detections', payload, packet.properties?.contentType);
 * detections.seq; // per-stream sequence number
 */
export function decodeRecord<S extends StreamName>(
  stream: S,
  payload: Uint8Array,
  contentType?: string,
): TelemetryRecord<S> {
  const schema: z.ZodType = recordSchemas[stream];
  return schema.parse(decodePayload(payload, contentType)) as TelemetryRecord<S>;
}

function looksLikeJson(payload: Uint8Array): boolean {
  for (const byte of payload) {
    // Skip JSON whitespace; anything else decides.
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return true;
}
