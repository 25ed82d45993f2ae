import type { KestrelPlugin } from '../../runtime/index.js';
import { EkfEstimator } from './ekf-estimator.js';
import { PassthroughEstimator } from './passthrough-estimator.js';

/** The state estimator named by `estimator.kind`: the EKF, or the plain pass-through. */
export const estimatorPlugin: KestrelPlugin = {
  name: 'kestrel-estimator',
  estimator: (mission) =>
    mission.estimator.kind === 'ekf' ? new EkfEstimator(mission) : new PassthroughEstimator(mission),
};
