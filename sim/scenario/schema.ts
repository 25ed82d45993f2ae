import { z } from 'zod';

/**
 * A scenario: the 2.5D world a simulated mission runs in. Coordinates are
 * metres in a local ENU frame (REP-103: x east, y north, z up); angles are
 * degrees counter-clockwise from east. Every key documents its unit and default.
 */
const finite = z.number();
const point = z.tuple([finite, finite]).describe('Local point [x, y], metres (x east, y north).');
const polygon = z
  .array(point)
  .min(3, 'polygon needs at least 3 points')
  .describe('Closed polygon of [x, y] points, metres.');
const channel = z.number().int().min(0).max(255);
const rgb = z.tuple([channel, channel, channel]).describe('Colour [r, g, b], 0..255.');

const areaSchema = z.strictObject({
  name: z.string().optional(),
  polygon,
  colour: rgb,
});

const obstacleSchema = z
  .strictObject({
    name: z.string().optional(),
    polygon,
    heightM: z.number().positive().describe('Height of the solid, m.'),
    colour: rgb.default([120, 120, 120]).describe('Side colour. Default grey.'),
    roofColour: rgb.optional().describe('Top colour seen from above. Default: the side colour, darker.'),
  })
  .describe('A solid extruded polygon: machine, container, building.');

const wallSchema = z
  .strictObject({
    name: z.string().optional(),
    points: z.array(point).min(2).describe('Polyline along the wall, metres.'),
    heightM: z.number().positive().default(2.5).describe('Wall or fence height, m. Default 2.5.'),
    thicknessM: z
      .number()
      .positive()
      .default(0.2)
      .describe('Thickness for collisions and the top view, m. Default 0.2.'),
    colour: rgb.default([150, 150, 150]),
  })
  .describe('A thin wall or fence along a polyline.');

const fuelSchema = z.strictObject({
  polygon,
  load: z.number().min(0).max(1).default(1).describe('Fuel load in the polygon, 0..1 (1 = dense forest). Default 1.'),
});

const fireSchema = z
  .strictObject({
    cellM: z.number().positive().default(5).describe('Edge of a fuel cell, m. Default 5.'),
    fuel: z.array(fuelSchema).default([]).describe('Where there is fuel; later polygons override earlier ones.'),
    ignitions: z
      .array(
        z.strictObject({
          at: point,
          atS: z.number().nonnegative().default(0).describe('Ignition time, s. Default 0.'),
        }),
      )
      .default([]),
    spreadPerS: z
      .number()
      .nonnegative()
      .default(0.01)
      .describe('Chance per second that a burning cell ignites one full-fuel neighbour in calm air. Default 0.01.'),
    burnTimeS: z.number().positive().default(240).describe('Time a full-fuel cell burns, s. Default 240.'),
    waterPerCellL: z
      .number()
      .positive()
      .default(8)
      .describe('Water that puts out one fully burning cell, litres. Default 8.'),
  })
  .describe('Fuel grid, ignitions and spread of wildfire.');

const pathEntity = {
  path: z.array(point).min(1).describe('Waypoints; one point = standing still.'),
  loop: z.boolean().default(true).describe('Walk the path again from the start at its end. Default true.'),
  startS: z.number().nonnegative().default(0).describe('Time the entity starts moving, s. Default 0.'),
};

const personSchema = z.union([
  z.strictObject({
    id: z.string().min(1),
    speedMps: z.number().positive().default(1.3).describe('Walking speed, m/s. Default 1.3.'),
    colour: rgb.default([40, 70, 160]).describe('Clothing colour.'),
    ...pathEntity,
  }),
  z.strictObject({
    id: z.string().min(1),
    speedMps: z.number().positive().default(1.0),
    colour: rgb.default([160, 60, 40]),
    wander: z.strictObject({ center: point, radiusM: z.number().positive() }).describe('Wanders inside this circle.'),
    startS: z.number().nonnegative().default(0),
  }),
]);

const trafficSchema = z.strictObject({
  id: z.string().min(1),
  label: z.string().default('vehicle').describe('Class name in ground-truth labels. Default vehicle.'),
  sizeM: z
    .tuple([z.number().positive(), z.number().positive(), z.number().positive()])
    .default([4.5, 1.9, 1.6])
    .describe('Length, width, height, m.'),
  colour: rgb.default([180, 30, 30]),
  speedMps: z.number().positive().default(5),
  ...pathEntity,
});

const faultKinds = ['gnss_outage', 'camera_freeze', 'imu_spike', 'link_loss', 'low_battery'] as const;
export type FaultKind = (typeof faultKinds)[number];

const eventSchema = z
  .strictObject({
    kind: z.enum(faultKinds),
    atS: z.number().nonnegative().describe('Start, s of simulated time.'),
    durationS: z.number().nonnegative().default(10).describe('How long it lasts, s. Default 10.'),
    sensorId: z.string().optional().describe('Only this sensor (default: every sensor of the matching type).'),
    value: z
      .number()
      .optional()
      .describe('low_battery: charge left, percent (default 20); imu_spike: size, m/s² (default 30).'),
  })
  .describe('A scripted fault.');

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    bounds: z
      .strictObject({ minX: finite, minY: finite, maxX: finite, maxY: finite })
      .refine((b) => b.maxX > b.minX && b.maxY > b.minY, 'bounds need max > min')
      .describe('Extent of the terrain, m.'),
    origin: z
      .strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), altM: finite.default(0) })
      .describe('GNSS origin of the local frame (the mission origin overrides it).'),
    home: z.strictObject({ x: finite, y: finite, yawDeg: finite.default(0) }).describe('Start and return-home pose.'),
    ground: z
      .strictObject({
        colour: rgb,
        variation: z.number().min(0).max(1).default(0.15).describe('Texture contrast, 0..1. Default 0.15.'),
        areas: z.array(areaSchema).default([]).describe('Painted areas (roads, clearings), later ones on top.'),
      })
      .describe('Ground texture.'),
    sky: rgb.default([150, 185, 225]).describe('Sky (or ceiling) colour.'),
    lighting: z
      .strictObject({
        ambient: z.number().min(0).max(1).default(1).describe('Ambient light, 0 (dark) .. 1 (day). Default 1.'),
        headlightM: z
          .number()
          .nonnegative()
          .default(0)
          .describe('Reach of a vehicle headlight, m; 0 = none. Default 0.'),
        visibilityM: z.number().positive().default(1500).describe('Fog visibility, m. Default 1500.'),
        fireGlowM: z
          .number()
          .nonnegative()
          .default(0)
          .describe(
            'Radius of the orange light a burning cell casts on the ground around it, m; 0 = none (by day it is lost in the sunlight). Default 0.',
          ),
      })
      .default({ ambient: 1, headlightM: 0, visibilityM: 1500, fireGlowM: 0 }),
    obstacles: z.array(obstacleSchema).default([]),
    buildings: z.array(obstacleSchema).default([]),
    walls: z.array(wallSchema).default([]),
    fire: fireSchema.optional(),
    wind: z
      .strictObject({
        speedMps: z.number().nonnegative().default(0).describe('Wind speed, m/s. Default 0.'),
        towardDeg: finite.default(0).describe('Direction the wind blows toward, degrees from east (CCW). Default 0.'),
      })
      .default({ speedMps: 0, towardDeg: 0 }),
    smoke: z
      .strictObject({
        opacity: z.number().min(0).max(1).default(0.45).describe('Peak opacity of a smoke puff, 0..1. Default 0.45.'),
        heightM: z.number().nonnegative().default(12).describe('Height of the smoke layer, m. Default 12.'),
        radiusM: z.number().positive().default(9).describe('Radius of a puff, m. Default 9.'),
      })
      .default({ opacity: 0.45, heightM: 12, radiusM: 9 }),
    persons: z.array(personSchema).default([]),
    vehicles: z.array(trafficSchema).default([]),
    events: z.array(eventSchema).default([]),
  })
  .describe('A simulated world.');

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioPerson = Scenario['persons'][number];
export type ScenarioTraffic = Scenario['vehicles'][number];
export type ScenarioEvent = Scenario['events'][number];
export type ScenarioFire = NonNullable<Scenario['fire']>;
