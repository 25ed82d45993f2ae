/**
 * An in-memory rclnodejs for tests: no ROS 2, no DDS. It follows rclnodejs
 * 2.x's API shapes (types/index.d.ts, node.d.ts, qos.d.ts): `init()` is async,
 * `createNode(name, namespace)`, `node.createSubscription(typeClass, topic,
 * options, callback)`, `node.createPublisher(typeClass, topic, options)`,
 * `node.spin()`, `QoS` with `HistoryPolicy` / `ReliabilityPolicy` statics and
 * profile names. It `satisfies` Kestrel's narrow `Rclnodejs` interface, so a
 * change to what Kestrel calls fails to compile here first.
 *
 * What it does not model: DDS discovery, QoS compatibility between publisher
 * and subscriber, message validation against the .msg types, executors.
 */
import type { RclEntityOptions, RclNode, RclPublisher, RclSubscription, Rclnodejs } from '../../hardware/index.js';

/** rclnodejs `lib/qos.js` enum values (rmw's). */
const HistoryPolicy = {
  RMW_QOS_POLICY_HISTORY_SYSTEM_DEFAULT: 0,
  RMW_QOS_POLICY_HISTORY_KEEP_LAST: 1,
  RMW_QOS_POLICY_HISTORY_KEEP_ALL: 2,
} as const;
const ReliabilityPolicy = {
  RMW_QOS_POLICY_RELIABILITY_SYSTEM_DEFAULT: 0,
  RMW_QOS_POLICY_RELIABILITY_RELIABLE: 1,
  RMW_QOS_POLICY_RELIABILITY_BEST_EFFORT: 2,
} as const;

const DurabilityPolicy = {
  RMW_QOS_POLICY_DURABILITY_SYSTEM_DEFAULT: 0,
  RMW_QOS_POLICY_DURABILITY_TRANSIENT_LOCAL: 1,
  RMW_QOS_POLICY_DURABILITY_VOLATILE: 2,
} as const;

export class FakeQoS {
  static readonly HistoryPolicy = HistoryPolicy;
  static readonly ReliabilityPolicy = ReliabilityPolicy;
  static readonly DurabilityPolicy = DurabilityPolicy;
  static readonly profileDefault = 'qos_profile_default';
  static readonly profileSystemDefault = 'qos_profile_system_default';
  static readonly profileSensorData = 'qos_profile_sensor_data';

  constructor(
    readonly history: number = HistoryPolicy.RMW_QOS_POLICY_HISTORY_SYSTEM_DEFAULT,
    readonly depth = 0,
    readonly reliabilityPolicy: number = ReliabilityPolicy.RMW_QOS_POLICY_RELIABILITY_SYSTEM_DEFAULT,
    readonly durabilityPolicy: number = DurabilityPolicy.RMW_QOS_POLICY_DURABILITY_SYSTEM_DEFAULT,
  ) {}
}

export interface FakeSubscription extends RclSubscription {
  readonly typeClass: string;
  readonly options: RclEntityOptions;
  readonly callback: (message: unknown) => void;
  destroyed: boolean;
}

export interface FakePublisher extends RclPublisher {
  readonly typeClass: string;
  readonly options: RclEntityOptions | undefined;
  readonly sent: object[];
  destroyed: boolean;
}

export interface FakeNode extends RclNode {
  readonly name: string;
  readonly namespace: string;
  readonly subscriptions: FakeSubscription[];
  readonly publishers: FakePublisher[];
  spinning: boolean;
  destroyed: boolean;
}

export interface FakeRos {
  readonly api: Rclnodejs;
  readonly nodes: FakeNode[];
  readonly calls: string[];
  /** Delivers `message` to every live subscription on `topic`, as the executor would. Returns how many got it. */
  deliver(topic: string, message: unknown): number;
  /** Everything published on `topic`. */
  published(topic: string): object[];
}

export function createFakeRclnodejs(): FakeRos {
  const nodes: FakeNode[] = [];
  const calls: string[] = [];
  let initialised = false;
  let shutdown = false;

  const createNode = (nodeName: string, namespace = ''): FakeNode => {
    if (!initialised) throw new Error('rclnodejs.init() must be called before createNode');
    calls.push(`createNode ${nodeName}`);
    const node: FakeNode = {
      name: nodeName,
      namespace,
      subscriptions: [],
      publishers: [],
      spinning: false,
      destroyed: false,
      createSubscription(typeClass, topic, options, callback) {
        calls.push(`createSubscription ${typeClass} ${topic}`);
        const sub: FakeSubscription = { topic, typeClass, options, callback, destroyed: false };
        node.subscriptions.push(sub);
        return sub;
      },
      createPublisher(typeClass, topic, options) {
        calls.push(`createPublisher ${typeClass} ${topic}`);
        const sent: object[] = [];
        const pub: FakePublisher = {
          topic,
          typeClass,
          options,
          sent,
          destroyed: false,
          publish(message) {
            if (pub.destroyed) throw new Error(`publisher on ${topic} is destroyed`);
            sent.push(message);
          },
        };
        node.publishers.push(pub);
        return pub;
      },
      destroySubscription(subscription) {
        calls.push(`destroySubscription ${subscription.topic}`);
        (subscription as FakeSubscription).destroyed = true;
      },
      destroyPublisher(publisher) {
        calls.push(`destroyPublisher ${publisher.topic}`);
        (publisher as FakePublisher).destroyed = true;
      },
      spin() {
        // rclnodejs throws when a node spins twice.
        if (node.spinning) throw new Error('The node is already spinning.');
        calls.push(`spin ${nodeName}`);
        node.spinning = true;
      },
      destroy() {
        calls.push(`destroy ${nodeName}`);
        node.destroyed = true;
        node.spinning = false;
      },
    };
    nodes.push(node);
    return node;
  };

  const api = {
    init() {
      if (initialised) return Promise.reject(new Error('The context has already been initialized.'));
      calls.push('init');
      initialised = true;
      return Promise.resolve();
    },
    createNode,
    shutdown() {
      calls.push('shutdown');
      shutdown = true;
    },
    isShutdown: () => shutdown,
    QoS: FakeQoS,
  } satisfies Rclnodejs;

  return {
    api,
    nodes,
    calls,
    deliver(topic, message) {
      let n = 0;
      for (const node of nodes) {
        if (!node.spinning) continue;
        for (const s of node.subscriptions) {
          if (s.topic !== topic || s.destroyed) continue;
          s.callback(message);
          n++;
        }
      }
      return n;
    },
    published(topic) {
      return nodes.flatMap((n) => n.publishers.filter((p) => p.topic === topic).flatMap((p) => p.sent));
    },
  };
}
