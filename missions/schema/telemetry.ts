import { z } from 'zod';

const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable');

/** Operator command kinds an operator may be allowed (the `kind` in `<prefix>/<robot>/cmd/<kind>`). */
export const operatorCommandKindSchema = z
  .enum(['estop', 'estop_reset', 'confirm', 'deny', 'pause', 'resume', 'action', 'task', 'retask', 'feedback'])
  .describe(
    'estop: engage the latched e-stop; estop_reset: release it; confirm / deny: answer an action waiting for an operator; pause: hold and propose nothing; resume: carry on; action: propose an action (guarded like any other); task: words for the language model, answered with a checked plan; retask: change behavior, area, altitude, speed or the return-home threshold (guarded); feedback: mark a false positive or a missed target for capture.',
  );

const operatorSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be lowercase letters, digits, ".", "-" and "_"')
      .describe('Operator id; commands name it in their `operator` field.'),
    hmacKeyEnv: envVarName
      .optional()
      .describe(
        "Environment variable holding this operator's HMAC-SHA256 shared secret (base64, at least 32 bytes once decoded). Never the key itself.",
      ),
    ed25519PublicKey: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a raw 32-byte Ed25519 public key in base64 (44 characters)')
      .optional()
      .describe('Ed25519 public key of the operator, raw 32 bytes in base64. Public, so it may live in the file.'),
    allow: z
      .array(operatorCommandKindSchema)
      .min(1)
      .describe(
        'Command kinds this operator may give. A command of any other kind is rejected (command.unauthorized).',
      ),
  })
  .refine((o) => (o.hmacKeyEnv === undefined) !== (o.ed25519PublicKey === undefined), {
    error: 'give exactly one of hmacKeyEnv or ed25519PublicKey',
  });

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
        username: z.string().optional().describe('Broker username, if the broker requires one.'),
        passwordEnv: envVarName
          .optional()
          .describe('Environment variable that holds the broker password (never the password itself).'),
        keepaliveS: z.number().int().positive().default(15).describe('MQTT keepalive, s. Default 15.'),
        caFile: z
          .string()
          .min(1)
          .optional()
          .describe(
            'CA certificate (PEM) that signs the broker, for mqtts:// and wss://. Relative to the mission file.',
          ),
        certFile: z
          .string()
          .min(1)
          .optional()
          .describe('Client certificate (PEM) for brokers that require TLS client authentication.'),
        keyFile: z.string().min(1).optional().describe('Private key (PEM) of certFile.'),
        reconnectMinMs: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('First reconnect delay after the link drops, ms; doubles per failed try. Default 500.'),
        reconnectMaxMs: z.number().int().positive().optional().describe('Longest reconnect delay, ms. Default 30000.'),
      })
      .optional()
      .describe('Broker to deliver to. Without one, telemetry is only stored on disk.'),
    topicPrefix: z
      .string()
      .regex(/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/, 'must be words separated by "/", no wildcards')
      .default('kestrel')
      .describe('Topics are <prefix>/<robot id>/<stream>. Default kestrel.'),
    encoding: z
      .enum(['json', 'msgpack'])
      .optional()
      .describe(
        'Payload encoding of the record streams on the wire: json (text) or msgpack (MessagePack of the same record: smaller, e.g. 317 instead of 378 bytes for a one-box detection frame). Marked per message with the MQTT 5 content type (application/json or application/vnd.msgpack) and payload format indicator, and announced in the status message. The disk queue and commands stay JSON. Default json.',
      ),
    stateRateHz: z.number().positive().max(100).default(5).describe('How often state is published, Hz. Default 5.'),
    stateExpiryS: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('MQTT 5 message expiry of state, s: the broker drops state older than this. Default 10.'),
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
        sync: z
          .enum(['full', 'normal'])
          .optional()
          .describe(
            'full: every commit is fsynced before a record counts as accepted (survives power loss). normal: survives a killed process, but a power cut may lose the last commits. Default full.',
          ),
        commitIntervalMs: z
          .number()
          .int()
          .nonnegative()
          .max(1000)
          .optional()
          .describe(
            'Records from the bus are committed in groups at most this often, ms; 0 commits at the end of each event-loop turn. Bounds what a power cut can lose. Default 0.',
          ),
      })
      .default({ dir: '.kestrel/telemetry', maxMb: 256 }),
    queueHealth: z
      .strictObject({
        reportIntervalS: z
          .number()
          .positive()
          .optional()
          .describe(
            'How often queue depth, bytes and oldest pending age are checked and published on <prefix>/<robot id>/health, s (mission time). Default 10.',
          ),
        maxRecords: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Health is degraded while more records than this wait on disk. Default: no limit.'),
        maxPercent: z
          .number()
          .positive()
          .max(100)
          .optional()
          .describe('Health is degraded while the queue holds more than this percentage of buffer.maxMb. Default 80.'),
        maxPendingAgeS: z
          .number()
          .positive()
          .optional()
          .describe(
            'Health is degraded while the oldest waiting record is older than this (by its source stamp), s. Default: no limit.',
          ),
      })
      .optional()
      .describe(
        'When the disk queue counts as unhealthy. Whatever these say, health is degraded while the bound is evicting records.',
      ),
    commands: z
      .strictObject({
        operators: z
          .array(operatorSchema)
          .default([])
          .describe('Operators allowed to command this robot. Empty: every command is rejected.'),
        maxTtlMs: z
          .number()
          .int()
          .positive()
          .max(600_000)
          .optional()
          .describe('Longest time-to-live a command may claim, ms; bounds the replay cache. Default 30000.'),
        maxClockSkewMs: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe("How far in the future a command's issuedAtMs may be, ms. Default 2000."),
      })
      .superRefine((c, ctx) => {
        const seen = new Set<string>();
        c.operators.forEach((o, i) => {
          if (seen.has(o.id)) {
            ctx.addIssue({ code: 'custom', path: ['operators', i, 'id'], message: `duplicate operator id "${o.id}"` });
          }
          seen.add(o.id);
        });
      })
      .optional()
      .describe('The operator command channel on <prefix>/<robot id>/cmd/<kind>. Absent: commands are not subscribed.'),
  })
  .describe('Telemetry: stored on disk first, delivered over MQTT when a link is up.');

export type Telemetry = z.infer<typeof telemetrySchema>;
export type TelemetryOperator = z.infer<typeof operatorSchema>;
export type OperatorCommandKind = z.infer<typeof operatorCommandKindSchema>;
