import type { PoseEstimate } from '../../../runtime/index.js';
import { msToStamp, type RosTime } from './stamp.js';

/** geometry_msgs/msg/PoseWithCovarianceStamped, as rclnodejs and the CDR writer take it. */
export interface PoseWithCovarianceStampedMsg {
  readonly header: { readonly stamp: RosTime; readonly frame_id: string };
  readonly pose: {
    readonly pose: {
      readonly position: { readonly x: number; readonly y: number; readonly z: number };
      readonly orientation: { readonly x: number; readonly y: number; readonly z: number; readonly w: number };
    };
    readonly covariance: Float64Array;
  };
}

/**
 * Kestrel's fused pose to PoseWithCovarianceStamped (what robot_localization
 * publishes). Kestrel's local frame is ENU, as ROS's `map`/`odom` frames are,
 * so position and orientation carry over unchanged. A covariance of the wrong
 * length becomes all zeros ("unknown" is not expressible, zero is the ROS habit).
 */
export function toPoseWithCovarianceStamped(pose: PoseEstimate, stampMs: number): PoseWithCovarianceStampedMsg {
  const covariance = new Float64Array(36);
  if (pose.poseCovariance.length === 36) covariance.set(pose.poseCovariance);
  return {
    header: { stamp: msToStamp(stampMs), frame_id: pose.frameId },
    pose: {
      pose: {
        position: { x: pose.positionM.x, y: pose.positionM.y, z: pose.positionM.z },
        orientation: { x: pose.orientation.x, y: pose.orientation.y, z: pose.orientation.z, w: pose.orientation.w },
      },
      covariance,
    },
  };
}
