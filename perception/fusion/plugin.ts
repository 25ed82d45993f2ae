import type { KestrelPlugin } from '../../runtime/index.js';
import { EkfEstimator } from './ekf-estimator.js';
import { PassthroughEstimator } from './passthrough-estimator.js';
import { TargetLocaliser } from './target-localiser.js';

/** The state estimator named by `estimator.kind` (the EKF, or the plain pass-through), and target localisation. */
export const estimatorPlugin: KestrelPlugin = {
  name: 'kestrel-estimator',
  estimator: (mission) =>
    mission.estimator.kind === 'ekf' ? new EkfEstimator(mission) : new PassthroughEstimator(mission),
  // Detections become world targets only when the mission has a camera pipeline.
  components: (ctx) => (ctx.mission.perception.pipelines.length > 0 ? [new TargetLocaliser(ctx.mission)] : []),
};
