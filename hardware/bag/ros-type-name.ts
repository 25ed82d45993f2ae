import { BagError } from './errors.js';

/** `pkg/msg/Name` or `pkg/Name`, split. */
export interface RosTypeName {
  readonly pkg: string;
  readonly name: string;
}

const TYPE_RE = /^([A-Za-z][A-Za-z0-9_]*)\/(?:msg\/)?([A-Za-z][A-Za-z0-9_]*)$/;

/**
 * Old bags (Dashing/Eloquent) store `sensor_msgs/Image`, newer ones
 * `sensor_msgs/msg/Image`; both name the same message.
 */
export function parseRosType(type: string): RosTypeName {
  const m = TYPE_RE.exec(type);
  const [, pkg, name] = m ?? [];
  if (pkg === undefined || name === undefined) {
    throw new BagError('bag.unsupported_encoding', `"${type}" is not a ROS 2 message type name`);
  }
  return { pkg, name };
}

/** The new-style name, `sensor_msgs/msg/Image`, used as the key everywhere in Kestrel. */
export function canonicalRosType(type: string): string {
  const t = parseRosType(type);
  return `${t.pkg}/msg/${t.name}`;
}

/** The short form `sensor_msgs/Image` that .msg files and the built-in definitions use. */
export function shortRosType(type: string): string {
  const t = parseRosType(type);
  return `${t.pkg}/${t.name}`;
}
