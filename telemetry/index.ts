/**
 * Telemetry and offline operation: a durable store-and-forward queue in front
 * of MQTT 5, the per-robot topic scheme, and the authenticated operator
 * command channel. See docs/telemetry.md.
 */
export { TelemetryError } from './errors.js';
export {
  SCHEMA_VERSION,
  STREAMS,
  STREAM_PRIORITY,
  commandAckSchema,
  decisionDataSchema,
  detectionsDataSchema,
  encodeRecord,
  eventDataSchema,
  healthDataSchema,
  queueHealthSchema,
  recordSchemas,
  robotTopics,
  stateDataSchema,
  statusSchema,
  targetsDataSchema,
} from './topics.js';
export type { CommandAck, QueueHealth, RobotTopics, StateData, Status, StreamName, TelemetryRecord } from './topics.js';
export { CONTENT_TYPES, PAYLOAD_MARKING, decodePayload, decodeRecord, encodeRecordMsgpack } from './encoding.js';
export type { PayloadEncoding, PayloadMarking } from './encoding.js';
export { PRIORITIES, PRIORITY_RANK, RECORD_OVERHEAD_BYTES, recordSizeBytes } from './queue/record.js';
export type { AppendResult, Priority, QueueRecord, QueueStats, QueueStore, RecordInput } from './queue/record.js';
export { EVICTION_ORDER, makeRoom } from './queue/eviction.js';
export type { EvictionView, RoomOutcome } from './queue/eviction.js';
export { MemoryQueueStore } from './queue/memory-store.js';
export type { MemoryStoreOptions } from './queue/memory-store.js';
export { SqliteQueueStore } from './queue/sqlite-store.js';
export type { SqliteStoreOptions } from './queue/sqlite-store.js';
export { Forwarder } from './queue/forwarder.js';
export type { ForwarderOptions, Publisher, WireMessage } from './queue/forwarder.js';
export { TelemetryQueue } from './queue/telemetry-queue.js';
export type { EnqueueOptions, TelemetryQueueOptions } from './queue/telemetry-queue.js';
export { Backoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { MqttLink } from './link.js';
export type { LinkHandlers, LinkOptions, PublishOptions } from './link.js';
export { LocalBroker, findMosquitto, findMosquittoPasswd, freePort, preferredPort } from './local-broker.js';
export type { LocalBrokerOptions, LocalBrokerTls } from './local-broker.js';
export { TelemetryComponent } from './component.js';
export type { TelemetryComponentOptions } from './component.js';
export { telemetryPlugin } from './plugin.js';
export { CommandChannel, CommandRejection } from './commands/channel.js';
export type { CommandChannelOptions, CommandVerdict } from './commands/channel.js';
export { canonicalJson, signingBytes } from './commands/canonical.js';
export {
  ed25519OperatorKey,
  ed25519PublicKeyFromRaw,
  hmacOperatorKey,
  operatorKeysFromConfig,
} from './commands/keys.js';
export type { OperatorKey } from './commands/keys.js';
export { ReplayCache } from './commands/replay-cache.js';
export { signCommand } from './commands/sign.js';
export type { SigningKey, UnsignedCommand } from './commands/sign.js';
export { MAX_COMMAND_BYTES, signedCommandSchema, wireOperatorCommandSchema } from './commands/wire.js';
export type { SignedCommand, SignatureAlgorithm, WireOperatorCommand } from './commands/wire.js';
