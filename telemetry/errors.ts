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
 * - `telemetry.auth_failed`: the broker refused the username/password (CONNACK 134, 135 or 140).
 * - `telemetry.tls_untrusted`: the broker's certificate does not verify against `caFile` (or names another host).
 * - `telemetry.tls_refused`: the broker required a client certificate and got none, or rejected ours.
 * - `telemetry.decode_failed`: a payload is neither the JSON nor the MessagePack it claims to be.
 *
 * Health codes of the telemetry component (not thrown): `telemetry.link_down`,
 * the three refusals above, `telemetry.queue_full`, `telemetry.queue_evicting`
 * (the bound evicted within the last report interval), `telemetry.queue_backlog`
 * (over a `queueHealth` threshold), `telemetry.store_failed`.
 */
export class TelemetryError extends KestrelError {}
