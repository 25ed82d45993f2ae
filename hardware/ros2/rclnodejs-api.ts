/**
 * The part of rclnodejs Kestrel uses, declared here so the adapter type-checks
 * without rclnodejs installed (it needs a sourced ROS 2 to build). Shapes
 * follow rclnodejs 2.x `types/index.d.ts`, `node.d.ts`, `qos.d.ts`,
 * `publisher.d.ts`, `subscription.d.ts`; the test fake `satisfies` this
 * interface, so a drift between the two shows at compile time.
 */

/** `QoS` class: `new QoS(history, depth, reliability, durability)`, with its policy enums as statics. */
export interface RclQoSClass {
  new (history?: number, depth?: number, reliability?: number, durability?: number): object;
  readonly HistoryPolicy: {
    readonly RMW_QOS_POLICY_HISTORY_KEEP_LAST: number;
  };
  readonly ReliabilityPolicy: {
    readonly RMW_QOS_POLICY_RELIABILITY_RELIABLE: number;
    readonly RMW_QOS_POLICY_RELIABILITY_BEST_EFFORT: number;
  };
  readonly DurabilityPolicy: {
    readonly RMW_QOS_POLICY_DURABILITY_TRANSIENT_LOCAL: number;
    readonly RMW_QOS_POLICY_DURABILITY_VOLATILE: number;
  };
  /** `'qos_profile_system_default'`. */
  readonly profileSystemDefault: string;
}

/** `Options` of `createSubscription` / `createPublisher`. */
export interface RclEntityOptions {
  /** A QoS instance or a profile name. */
  readonly qos?: object | string;
  /** uint8[] / float32[] fields arrive as typed arrays (rclnodejs default: true). */
  readonly enableTypedArray?: boolean;
  readonly isRaw?: boolean;
}

export interface RclSubscription {
  readonly topic: string;
}

export interface RclPublisher {
  readonly topic: string;
  publish(message: object): void;
}

export interface RclNode {
  /** `typeClass` is a type name such as `'sensor_msgs/msg/Imu'`. */
  createSubscription(
    typeClass: string,
    topic: string,
    options: RclEntityOptions,
    callback: (message: unknown) => void,
  ): RclSubscription;
  createPublisher(typeClass: string, topic: string, options?: RclEntityOptions): RclPublisher;
  destroySubscription(subscription: RclSubscription): void;
  destroyPublisher(publisher: RclPublisher): void;
  /** Starts delivering callbacks on Node's event loop (non-blocking in rclnodejs). */
  spin(timeoutMs?: number): void;
  destroy(): void;
}

/** The rclnodejs module. */
export interface Rclnodejs {
  init(): Promise<void>;
  /** Deprecated in rclnodejs in favour of `new Node(...)`, still present in 2.x and in every older release. */
  createNode(nodeName: string, namespace?: string): RclNode;
  shutdown(): void;
  isShutdown(): boolean;
  readonly QoS: RclQoSClass;
}
