import type { KestrelPlugin } from '../../runtime/index.js';
import { PassthroughEstimator } from './passthrough-estimator.js';

/** The state estimator. Interim: pass-through of odometry or GNSS until the EKF lands. */
export const estimatorPlugin: KestrelPlugin = {
  name: 'kestrel-estimator',
  estimator: (mission) => new PassthroughEstimator(mission),
};
