import { z } from 'zod';
import { STATE_FIELDS } from '../../perception/index.js';

/**
 * State fields a sensor can feed into the filter (robot_localization's `*_config` booleans, by name):
 * the filter's own state vector, so the two can never disagree.
 */
export const FUSE_FIELDS = STATE_FIELDS;

export const fuseFieldSchema = z.enum(FUSE_FIELDS);

export const estimatorSchema = z
  .strictObject({
    kind: z
      .enum(['ekf', 'passthrough'])
      .default('ekf')
      .describe('ekf = 15-state extended Kalman filter; passthrough = latest odometry or GNSS as is. Default ekf.'),
    rateHz: z.number().positive().max(200).default(30).describe('Pose publication rate, Hz. Default 30.'),
    twoD: z
      .boolean()
      .optional()
      .describe('Hold z, roll and pitch at zero (planar robots). Default: true for ground platforms, false otherwise.'),
    gateSigma: z
      .number()
      .positive()
      .default(5)
      .describe(
        'Reject measurements farther than this many standard deviations (Mahalanobis) from the estimate. Default 5.',
      ),
    historyMs: z
      .number()
      .int()
      .nonnegative()
      .default(1000)
      .describe(
        'Late measurements up to this old are fused in order (the filter rewinds and replays); older are rejected, ms. Default 1000.',
      ),
    maxDeadReckoningMs: z
      .number()
      .int()
      .nonnegative()
      .default(30_000)
      .describe(
        'With no absolute position (GNSS outage), keep estimating on odometry and IMU for at most this long, then declare the pose stale, ms. Default 30000.',
      ),
    processNoise: z
      .array(z.number().nonnegative())
      .length(15)
      .optional()
      .describe(
        'Process noise variance per second for x y z roll pitch yaw vx vy vz vroll vpitch vyaw ax ay az. Default: tuned for small robots.',
      ),
  })
  .describe('State estimation: how sensor streams become one pose with covariance.');

export type EstimatorConfig = z.infer<typeof estimatorSchema>;
