/**
 * A topic is a typed name. `defineTopic<Pose>('state/pose', 'kestrel/Pose')`
 * returns a token that carries the message type at compile time and the type
 * name at run time, so two components that disagree on a topic's type fail at
 * wiring, not with a corrupted message at run time.
 */
export interface Topic<T> {
  readonly name: string;
  /** Message type name, for example `sensor_msgs/msg/Imu` or `kestrel/Detections`. */
  readonly type: string;
  /** Phantom field: carries `T` for the type checker, never set. */
  readonly __message?: T;
}

export function defineTopic<T>(name: string, type: string): Topic<T> {
  if (!/^[a-z0-9_]+(\/[a-z0-9_]+)*$/i.test(name)) {
    throw new RangeError(`topic name must be slash-separated words of [A-Za-z0-9_], got "${name}"`);
  }
  return Object.freeze({ name, type });
}

/** Every message on the bus travels in an envelope stamped twice. */
export interface Envelope<T> {
  readonly topic: string;
  readonly data: T;
  /** Source time: when the sensor measured it (epoch ms of the runtime clock's base). */
  readonly stampMs: number;
  /** Monotonic time when the bus accepted it (clock.monoMs()). */
  readonly recvMonoMs: number;
  /** Per-topic sequence number from 0; a gap seen by a subscriber means a drop upstream of it. */
  readonly seq: number;
}
