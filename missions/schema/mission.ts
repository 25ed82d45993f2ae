import { z } from 'zod';
import { actuatorSchema } from './actuator.js';
import { behaviorSchema } from './behavior.js';
import { captureSchema } from './capture.js';
import { estimatorSchema } from './estimator.js';
import { guardrailsSchema } from './guardrails.js';
import { idSchema } from './ids.js';
import { modelSchema } from './models.js';
import { modelTrustSchema } from './model-trust.js';
import { originSchema } from './origin.js';
import { perceptionSchema } from './perception.js';
import { platformSchema } from './platform.js';
import { sensorSchema } from './sensors.js';
import { simulationSchema } from './simulation.js';
import { telemetrySchema } from './telemetry.js';
import { taskingSchema } from './tasking.js';
import { transformsSchema } from './transforms.js';
import { zoneSchema } from './zones.js';

export const MISSION_API_VERSION = 'kestrel/v1';

const loggingSchema = z
  .strictObject({
    level: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
      .default('info')
      .describe('Default info.'),
    format: z.enum(['auto', 'json', 'pretty']).default('auto').describe('auto = pretty on a terminal, JSON otherwise.'),
  })
  .describe('Log level and format.');

export const missionSchema = z
  .strictObject({
    apiVersion: z.literal(MISSION_API_VERSION).describe(`Schema version of this file. Must be ${MISSION_API_VERSION}.`),
    mission: z.strictObject({
      id: idSchema.describe('Mission id.'),
      version: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version such as 1.0.0')
        .describe('Version of this mission file (semver).'),
      name: z.string().min(1).optional().describe('Human-readable name.'),
      description: z.string().optional(),
    }),
    platform: platformSchema,
    origin: originSchema.optional(),
    simulation: simulationSchema.optional(),
    sensors: z.array(sensorSchema).default([]).describe('Sensor streams.'),
    transforms: transformsSchema.optional(),
    estimator: estimatorSchema.default({
      kind: 'ekf',
      rateHz: 30,
      gateSigma: 5,
      historyMs: 1000,
      maxDeadReckoningMs: 30_000,
    }),
    models: z.array(modelSchema).default([]).describe('Vision and language models.'),
    modelTrust: modelTrustSchema
      .optional()
      .describe('Require signed models from trusted signers. Absent: models load on their sha256 pin alone.'),
    perception: perceptionSchema.default({ pipelines: [] }),
    guardrails: guardrailsSchema,
    zones: z.array(zoneSchema).default([]).describe('Named places an operator can refer to in tasking requests.'),
    behavior: behaviorSchema,
    tasking: taskingSchema.optional(),
    capture: captureSchema.optional().describe('Field data capture. Absent: nothing is captured.'),
    actuator: actuatorSchema
      .optional()
      .describe('Where approved actions go. Default: sim when simulation is set, else log.'),
    telemetry: telemetrySchema.default({
      topicPrefix: 'kestrel',
      stateRateHz: 5,
      qos: { records: 1, state: 0 },
      buffer: { dir: '.kestrel/telemetry', maxMb: 256 },
    }),
    logging: loggingSchema.default({ level: 'info', format: 'auto' }),
  })
  .superRefine((m, ctx) => {
    uniqueIds(m.sensors, ['sensors'], 'sensor', ctx);
    uniqueIds(m.models, ['models'], 'model', ctx);
    uniqueIds(m.perception.pipelines, ['perception', 'pipelines'], 'pipeline', ctx);
    uniqueZoneNames(m.zones, ctx);
    m.capture?.pipelines?.forEach((id, i) => {
      if (!m.perception.pipelines.some((p) => p.id === id)) {
        ctx.addIssue({ code: 'custom', path: ['capture', 'pipelines', i], message: `no pipeline with id "${id}"` });
      }
    });
    if (m.tasking !== undefined && !m.models.some((model) => model.id === m.tasking?.model)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tasking', 'model'],
        message: `tasking model "${m.tasking.model}" is not in models`,
      });
    }

    // First occurrence wins: a duplicate id is already reported above.
    const sensors = new Map<string, (typeof m.sensors)[number]>();
    for (const s of m.sensors) if (!sensors.has(s.id)) sensors.set(s.id, s);
    const models = new Set(m.models.map((x) => x.id));
    m.perception.pipelines.forEach((p, i) => {
      const cam = sensors.get(p.camera);
      if (cam === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['perception', 'pipelines', i, 'camera'],
          message: `no sensor with id "${p.camera}"`,
        });
      } else if (cam.type !== 'camera') {
        ctx.addIssue({
          code: 'custom',
          path: ['perception', 'pipelines', i, 'camera'],
          message: `sensor "${p.camera}" has type ${cam.type}, not camera`,
        });
      }
      if (!models.has(p.model)) {
        ctx.addIssue({
          code: 'custom',
          path: ['perception', 'pipelines', i, 'model'],
          message: `no model with id "${p.model}"`,
        });
      }
    });

    m.sensors.forEach((s, i) => {
      if (s.source.kind === 'sim' && m.simulation === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sensors', i, 'source'],
          message: 'source "sim" needs a simulation block',
        });
      }
    });
    if (m.actuator?.kind === 'sim' && m.simulation === undefined) {
      ctx.addIssue({ code: 'custom', path: ['actuator'], message: 'actuator "sim" needs a simulation block' });
    }
    if (m.origin === undefined) {
      const geo = firstGeographicPoint(m);
      if (geo !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: geo,
          message: 'geographic {lat, lon} points need an origin block to convert them',
        });
      }
    }
    if (m.platform.kind === 'fixed_site' && m.behavior.kind !== 'hold') {
      ctx.addIssue({
        code: 'custom',
        path: ['behavior', 'kind'],
        message: `a fixed site cannot run "${m.behavior.kind}"; use hold`,
      });
    }
  })
  .describe('A Kestrel mission: platform, sensors, models, perception, guardrails, behavior and telemetry.');

/** A parsed mission: every default filled in, every reference checked. */
export type Mission = z.infer<typeof missionSchema>;
/** What an operator writes: defaults may be left out. */
export type MissionInput = z.input<typeof missionSchema>;

function uniqueIds(
  items: readonly { id: string }[],
  path: (string | number)[],
  what: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'id'],
        message: `${what} id "${item.id}" is already used by ${path.join('.')}[${first}]`,
      });
    } else {
      seen.set(item.id, i);
    }
  });
}

function uniqueZoneNames(zones: readonly { name: string; aliases: readonly string[] }[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  zones.forEach((zone, i) => {
    for (const [j, name] of [zone.name, ...zone.aliases].entries()) {
      const first = seen.get(name);
      if (first !== undefined && first !== i) {
        ctx.addIssue({
          code: 'custom',
          path: j === 0 ? ['zones', i, 'name'] : ['zones', i, 'aliases', j - 1],
          message: `zone name "${name}" is already used by zones[${first}]`,
        });
      } else {
        seen.set(name, i);
      }
    }
  });
}

function firstGeographicPoint(m: z.output<typeof missionSchema>): (string | number)[] | undefined {
  const isGeo = (p: unknown): boolean => typeof p === 'object' && p !== null && !Array.isArray(p);
  for (const [i, poly] of m.guardrails.geofence.entries()) {
    const j = poly.findIndex(isGeo);
    if (j >= 0) return ['guardrails', 'geofence', i, j];
  }
  for (const [i, zone] of m.guardrails.noGo.entries()) {
    const j = zone.polygon.findIndex(isGeo);
    if (j >= 0) return ['guardrails', 'noGo', i, 'polygon', j];
  }
  for (const [i, zone] of m.zones.entries()) {
    const j = zone.polygon.findIndex(isGeo);
    if (j >= 0) return ['zones', i, 'polygon', j];
  }
  if (m.behavior.kind === 'area_search') {
    const j = m.behavior.area.findIndex(isGeo);
    if (j >= 0) return ['behavior', 'area', j];
  }
  return undefined;
}
