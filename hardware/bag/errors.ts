import { KestrelError } from '../../runtime/index.js';

/**
 * Errors reading rosbag2 files. Codes are API:
 * `bag.not_found`, `bag.unsupported_storage`, `bag.corrupt`, `bag.unknown_topic`,
 * `bag.unsupported_encoding`, `bag.no_definition`, `bag.decode_failed`, `bag.type_mismatch`.
 */
export class BagError extends KestrelError {}
