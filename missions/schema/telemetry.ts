import { z } from 'zod';

export const telemetrySchema = z
  .strictObject({
    broker: z
      .strictObject({
        url: z
          .string()
          .regex(
            /^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/,
            'must be a broker URL: mqtt://host:port, mqtts://, ws:// or wss://',
          )
          .describe('MQTT broker, e.g. mqtt://127.0.0.1:1883.'),
        clientId: z.string().min(1).optional().describe('MQTT client id. Default kestrel-<robot id>.'),
        username: z.string().optional(),
        passwordEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable')
          .optional()
          .describe('Environment variable that holds the broker password (never the password itself).'),
        keepaliveS: z.number().int().positive().default(15).describe('MQTT keepalive, s. Default 15.'),
      })
      .optional()
      .describe('Broker to deliver to. Without one, telemetry is only stored on disk.'),
    topicPrefix: z
      .string()
      .regex(/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/, 'must be words separated by "/", no wildcards')
      .default('kestrel')
      .describe('Topics are <prefix>/<robot id>/<stream>. Default kestrel.'),
    stateRateHz: z.number().positive().max(100).default(5).describe('How often state is published, Hz. Default 5.'),
    qos: z
      .strictObject({
        records: z
          .union([z.literal(1), z.literal(2)])
          .default(1)
          .describe('QoS of records (detections, decisions, events). Default 1.'),
        state: z
          .union([z.literal(0), z.literal(1)])
          .default(0)
          .describe('QoS of high-rate state. Default 0.'),
      })
      .default({ records: 1, state: 0 }),
    buffer: z
      .strictObject({
        dir: z
          .string()
          .min(1)
          .default('.kestrel/telemetry')
          .describe('Directory of the disk queue. Default .kestrel/telemetry.'),
        maxMb: z.number().positive().default(256).describe('Disk queue bound, MiB. Default 256.'),
      })
      .default({ dir: '.kestrel/telemetry', maxMb: 256 }),
  })
  .describe('Telemetry: stored on disk first, delivered over MQTT when a link is up.');

export type Telemetry = z.infer<typeof telemetrySchema>;
