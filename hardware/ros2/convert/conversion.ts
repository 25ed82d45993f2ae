import { z } from 'zod';

/**
 * A converter turns one ROS message (decoded from CDR, or handed over by
 * rclnodejs: both are plain objects with ROS field names) into a Kestrel bus
 * message. Bad data is a value, not an exception: `{ ok: false, code, reason }`
 * is counted and dropped by the source, never published.
 */
export type Conversion<T> =
  | {
      readonly ok: true;
      readonly message: T;
      /** Sensor time from `header.stamp`, epoch ms; undefined when the stamp is zero (unset). */
      readonly stampMs: number | undefined;
    }
  | { readonly ok: false; readonly code: string; readonly reason: string };

export type Converter<T> = (ros: unknown) => Conversion<T>;

export function accept<T>(message: T, stampMs: number | undefined): Conversion<T> {
  return { ok: true, message, stampMs };
}

export function reject<T>(code: string, reason: string): Conversion<T> {
  return { ok: false, code, reason };
}

/**
 * Parses `ros` with `schema`; a mismatch is rejected with `code` and the first
 * issue's path, e.g. `linear_acceleration.x: Invalid input: expected number, received NaN`.
 */
export function parseRos<S extends z.ZodType>(
  schema: S,
  ros: unknown,
  code: string,
): { ok: true; value: z.infer<S> } | { ok: false; code: string; reason: string } {
  const r = schema.safeParse(ros);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
  return { ok: false, code, reason: `${path}: ${issue?.message ?? 'invalid'}` };
}

// zod 4 numbers are finite: NaN and Infinity fail here, so a NaN reading never reaches fusion.
const finite = z.number();
/** Any double, NaN and ±Inf included: where ROS uses NaN for "not measured" (NavSatFix, BatteryState), the converter decides. */
export const numberOrNaN = z.custom<number>((v) => typeof v === 'number', 'expected a number');

export const timeSchema = z.object({ sec: z.number().int(), nanosec: z.number().int().min(0) });
export const headerSchema = z.object({ stamp: timeSchema, frame_id: z.string() });
export const vector3Schema = z.object({ x: finite, y: finite, z: finite });
export const quaternionSchema = z.object({ x: finite, y: finite, z: finite, w: finite });

/**
 * A fixed-size float64 array: Float64Array from CDR and rclnodejs, number[] from plain JSON.
 * One custom check instead of union + refine: Imu has three of these and this is its hot path.
 */
export function float64Array(length: number): z.ZodType<readonly number[]> {
  return z
    .custom<Float64Array | number[]>(
      (v) => (v instanceof Float64Array || Array.isArray(v)) && v.length === length,
      `expected ${length} float64 values`,
    )
    .transform((a) => Array.from(a));
}

/** uint8[]: a Uint8Array view (CDR, rclnodejs) is kept as is; number[] is packed once. */
export const bytesSchema = z.union([
  z.instanceof(Uint8Array),
  z.array(z.number().int().min(0).max(255)).transform((a) => Uint8Array.from(a)),
]);

/** float32[]: kept as the Float32Array it arrives as (LaserScan ranges are large). */
export const float32ArraySchema = z.union([
  z.instanceof(Float32Array),
  z.array(numberOrNaN).transform((a) => Float32Array.from(a)),
]);

/** builtin_interfaces/Time to epoch ms; a zero stamp means the publisher never set it. */
export function stampToMs(stamp: { sec: number; nanosec: number }): number | undefined {
  if (stamp.sec === 0 && stamp.nanosec === 0) return undefined;
  return stamp.sec * 1000 + stamp.nanosec / 1e6;
}
