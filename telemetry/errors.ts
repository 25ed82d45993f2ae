import { KestrelError } from '../runtime/index.js';

/**
 * Errors of the telemetry module. Codes are API:
 * - `telemetry.queue_full`: a record was refused because everything it may displace is gone.
 * - `telemetry.queue_closed`: the queue was used after close.
 * - `telemetry.store_locked`: another process holds the disk queue.
 * - `telemetry.store_corrupt`: the disk queue could not be opened or has an unknown layout.
 * - `telemetry.link_down`: a publish was attempted while the link is down.
 * - `telemetry.timeout`: a stop step (announce, disconnect, flush) ran out of time.
 * - `telemetry.publish_failed`: the broker or the socket refused a publish.
 * - `telemetry.broker_failed`: the embedded broker could not be started.
 * - `telemetry.config`: the mission's telemetry block cannot be used (missing env var, bad key).
 */
export class TelemetryError extends KestrelError {}
