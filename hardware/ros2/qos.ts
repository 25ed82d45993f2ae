import type { Rclnodejs } from './rclnodejs-api.js';

export type QosName = 'sensor_data' | 'reliable' | 'system_default';

/** rclcpp's `SensorDataQoS()` depth. */
const SENSOR_DATA_DEPTH = 5;
const RELIABLE_DEPTH = 10;

/**
 * The mission's QoS name as an rclnodejs QoS. sensor_data is built
 * explicitly (best effort, keep last 5) rather than by profile name, so a
 * best-effort camera driver matches: a reliable subscriber receives nothing
 * from a best-effort publisher.
 */
export function qosFor(api: Rclnodejs, name: QosName): object | string {
  const { QoS } = api;
  switch (name) {
    case 'sensor_data':
      return new QoS(
        QoS.HistoryPolicy.RMW_QOS_POLICY_HISTORY_KEEP_LAST,
        SENSOR_DATA_DEPTH,
        QoS.ReliabilityPolicy.RMW_QOS_POLICY_RELIABILITY_BEST_EFFORT,
      );
    case 'reliable':
      return new QoS(
        QoS.HistoryPolicy.RMW_QOS_POLICY_HISTORY_KEEP_LAST,
        RELIABLE_DEPTH,
        QoS.ReliabilityPolicy.RMW_QOS_POLICY_RELIABILITY_RELIABLE,
      );
    case 'system_default':
      return QoS.profileSystemDefault;
  }
}

/** tf2_ros's listener depth (`DynamicListenerQoS` / `StaticListenerQoS`). */
const TF_DEPTH = 100;

/**
 * The QoS tf2_ros listeners use: reliable, keep last 100; `/tf_static` also
 * transient local, so transforms latched before Kestrel started still arrive
 * (a volatile subscriber would never see a robot's static mounts).
 */
export function tfQos(api: Rclnodejs, isStatic: boolean): object {
  const { QoS } = api;
  return new QoS(
    QoS.HistoryPolicy.RMW_QOS_POLICY_HISTORY_KEEP_LAST,
    TF_DEPTH,
    QoS.ReliabilityPolicy.RMW_QOS_POLICY_RELIABILITY_RELIABLE,
    isStatic
      ? QoS.DurabilityPolicy.RMW_QOS_POLICY_DURABILITY_TRANSIENT_LOCAL
      : QoS.DurabilityPolicy.RMW_QOS_POLICY_DURABILITY_VOLATILE,
  );
}
