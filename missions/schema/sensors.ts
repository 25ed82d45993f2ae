import { z } from 'zod';
import { fuseFieldSchema } from './estimator.js';
import { idSchema } from './ids.js';

const sensorTypes = ['camera', 'imu', 'gnss', 'odometry', 'lidar', 'battery'] as const;
export const sensorTypeSchema = z.enum(sensorTypes).describe('What the sensor measures.');
export type SensorType = z.infer<typeof sensorTypeSchema>;

/** Where a sensor's messages come from. */
export const sensorSourceSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('sim'),
    }),
    z.strictObject({
      kind: z.literal('ros2'),
      topic: z
        .string()
        .regex(/^\/?[A-Za-z_~][A-Za-z0-9_/~{}]*$/, 'must be a ROS 2 topic name')
        .describe('ROS 2 topic, e.g. /camera/image_raw.'),
      qos: z
        .enum(['sensor_data', 'reliable', 'system_default'])
        .default('sensor_data')
        .describe('QoS profile. sensor_data = best effort, keep last 5. Default sensor_data.'),
    }),
    z.strictObject({
      kind: z.literal('bag'),
      path: z.string().min(1).describe('rosbag2 file (.mcap or .db3), relative to the mission file.'),
      topic: z.string().min(1).describe('Topic inside the bag.'),
      loop: z.boolean().default(false).describe('Start again at the end. Default false.'),
    }),
    z.strictObject({
      kind: z.literal('camera'),
      device: z.string().min(1).describe('V4L2 device (/dev/video0) or RTSP/HTTP URL of a local camera.'),
    }),
  ])
  .describe('Source of the stream: sim, ros2 (live topic), bag (rosbag2 replay), camera (local device).');

export type SensorSource = z.infer<typeof sensorSourceSchema>;

export const sensorSchema = z
  .strictObject({
    id: idSchema.describe('Sensor id, referenced by perception pipelines.'),
    type: sensorTypeSchema,
    source: sensorSourceSchema,
    rateHz: z.number().positive().max(1000).describe('Expected message rate, Hz.'),
    frameId: z.string().min(1).optional().describe('Frame of the measurements (tf frame id). Default: the sensor id.'),
    staleAfterMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('The sensor is stale when no message arrived for this long, ms. Default: 5 periods of rateHz.'),
    width: z.number().int().positive().optional().describe('Camera image width, px.'),
    height: z.number().int().positive().optional().describe('Camera image height, px.'),
    fovDeg: z.number().positive().max(360).optional().describe('Camera horizontal field of view, degrees.'),
    fuse: z
      .array(fuseFieldSchema)
      .min(1)
      .optional()
      .describe(
        'State fields this sensor feeds into the estimator. Defaults: gnss [x, y, z]; odometry [vx, vy, vyaw]; imu [roll, pitch, yaw, vroll, vpitch, vyaw] (orientation only when the IMU reports it).',
      ),
    mount: z
      .strictObject({
        xyzM: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]).describe('Offset from base_link, m.'),
        rpyDeg: z
          .tuple([z.number(), z.number(), z.number()])
          .default([0, 0, 0])
          .describe('Roll, pitch, yaw of the sensor relative to base_link, degrees.'),
      })
      .optional()
      .describe('Where the sensor sits on the body.'),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'camera' && (s.width === undefined || s.height === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: s.width === undefined ? ['width'] : ['height'],
        message: 'a camera needs width and height',
      });
    }
  });

export type Sensor = z.infer<typeof sensorSchema>;
