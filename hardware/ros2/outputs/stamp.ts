/** builtin_interfaces/Time. */
export interface RosTime {
  readonly sec: number;
  readonly nanosec: number;
}

/** Epoch ms to builtin_interfaces/Time; rounds to whole µs, which keeps float ms noise out of `nanosec`. */
export function msToStamp(ms: number): RosTime {
  const us = Math.round(ms * 1000);
  const sec = Math.floor(us / 1e6);
  return { sec, nanosec: (us - sec * 1e6) * 1000 };
}
