import { z } from 'zod';
import type { TransformsMessage, TransformStamped } from '../../../runtime/index.js';
import {
  accept,
  headerSchema,
  parseRos,
  quaternionSchema,
  reject,
  stampToMs,
  vector3Schema,
  type Conversion,
} from './conversion.js';

const transformStampedSchema = z.object({
  header: headerSchema,
  child_frame_id: z.string(),
  transform: z.object({ translation: vector3Schema, rotation: quaternionSchema }),
});

const tfMessageSchema = z.object({ transforms: z.array(transformStampedSchema) });

/** How far a quaternion's norm may be from 1 before it is refused rather than normalised (tf2 warns at 0.1). */
const NORM_TOLERANCE = 0.1;

/** tf2 frame ids carry no leading slash; ROS 1 era publishers still send one. */
function frameId(id: string): string {
  return id.startsWith('/') ? id.slice(1) : id;
}

/**
 * tf2_msgs/TFMessage to Kestrel's `TransformsMessage`. All or nothing, as
 * tf2's buffer takes a message: a NaN, an empty or self-referencing frame id,
 * or a rotation that is not (close to) a unit quaternion rejects the whole
 * message (`tf.invalid`) rather than half a tree. Rotations within tolerance
 * are normalised. The message stamp is the newest transform's.
 */
export function convertTfMessage(ros: unknown, isStatic: boolean): Conversion<TransformsMessage> {
  const p = parseRos(tfMessageSchema, ros, 'tf.invalid');
  if (!p.ok) return p;
  if (p.value.transforms.length === 0) return reject('tf.invalid', 'transforms: empty');
  const transforms: TransformStamped[] = [];
  let newest: number | undefined;
  for (const [i, t] of p.value.transforms.entries()) {
    const parent = frameId(t.header.frame_id);
    const child = frameId(t.child_frame_id);
    if (parent === '' || child === '') return reject('tf.invalid', `transforms.${i}: empty frame id`);
    if (parent === child) return reject('tf.invalid', `transforms.${i}: ${child} cannot be its own parent`);
    const q = t.transform.rotation;
    const norm = Math.hypot(q.x, q.y, q.z, q.w);
    if (!(Math.abs(norm - 1) <= NORM_TOLERANCE)) {
      return reject('tf.invalid', `transforms.${i}.transform.rotation: not a unit quaternion (norm ${norm})`);
    }
    const stampMs = stampToMs(t.header.stamp) ?? 0;
    newest = newest === undefined ? stampMs : Math.max(newest, stampMs);
    transforms.push({
      parent,
      child,
      stampMs,
      translation: t.transform.translation,
      rotation: { x: q.x / norm, y: q.y / norm, z: q.z / norm, w: q.w / norm },
    });
  }
  return accept({ transforms, isStatic }, newest === 0 ? undefined : newest);
}
