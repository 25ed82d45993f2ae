import { parse } from '@foxglove/rosmsg';
import { ros2humble } from '@foxglove/rosmsg-msgs-common';
import { BagError } from './errors.js';
import { shortRosType } from './ros-type-name.js';
import type { BagSchema } from './types.js';
import { VISION_MSGS } from './vision-msgs.js';

/** A parsed message definition: the root type first, then every type it refers to. */
export type MessageDefinitions = ReturnType<typeof parse>;
type Definition = MessageDefinitions[number];

/**
 * Built-in definitions of the common ROS 2 packages (std_msgs,
 * builtin_interfaces, geometry_msgs, sensor_msgs, nav_msgs, tf2_msgs,
 * diagnostic_msgs, ..., and vision_msgs) for bags that store none: sqlite3 bags before Iron
 * have no `message_definitions` table. Humble's definitions: the fields of
 * these messages have not changed from Dashing to Jazzy.
 */
const BUILTIN: ReadonlyMap<string, Definition> = new Map([
  ...Object.entries(ros2humble as Record<string, Definition>),
  ...VISION_MSGS.map((d): [string, Definition] => [d.name ?? '', d]),
]);
/** Every built-in type, so a root can refer to any of them (Header, Time, Vector3, ...). Built once. */
const BUILTIN_ALL: readonly Definition[] = [...BUILTIN.values()];

/** True when Kestrel knows `type` without a definition from the bag. */
export function hasBuiltinDefinition(type: string): boolean {
  return BUILTIN.has(shortRosType(type));
}

/** Built-in definitions for `type` (either naming style), or undefined. */
export function builtinDefinitions(type: string): MessageDefinitions | undefined {
  const root = BUILTIN.get(shortRosType(type));
  return root === undefined ? undefined : [root, ...BUILTIN_ALL];
}

/**
 * Definitions for a topic: from the bag's own schema when it has one Kestrel
 * can parse (`ros2msg`), else the built-in ones. A bag's schema wins because
 * it is what the recorder actually serialized.
 */
export function definitionsFor(type: string, schema: BagSchema | undefined): MessageDefinitions {
  if (schema !== undefined && schema.encoding === 'ros2msg' && schema.text.trim() !== '') {
    try {
      return parse(schema.text, { ros2: true });
    } catch (error) {
      throw new BagError('bag.corrupt', `the bag's definition of ${type} does not parse: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  const builtin = builtinDefinitions(type);
  if (builtin !== undefined) return builtin;
  const why =
    schema === undefined
      ? 'the bag stores no definition for it'
      : `its definition is encoded as "${schema.encoding}", which Kestrel does not parse (only ros2msg)`;
  throw new BagError('bag.no_definition', `cannot decode ${type}: ${why}, and it is not a built-in common message`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
