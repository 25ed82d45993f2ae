/** Tiny builders for simulator tests: small scenarios, platforms and missions. */
import { missionSchema, type Mission, type Platform } from '../../missions/index.js';
import { SimWorld, parseScenario, type ScenarioInput } from '../../sim/index.js';

/** A 100 x 100 m empty field with an origin, and whatever the test adds. */
export function scenario(extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: 'test-field',
    bounds: { minX: 0, minY: 0, maxX: 100, maxY: 100 },
    origin: { lat: 47.3769, lon: 8.5417, altM: 400 },
    home: { x: 10, y: 10, yawDeg: 0 },
    ground: { colour: [90, 120, 60], variation: 0.1 },
    ...extra,
  };
}

export const drone: Platform = {
  kind: 'multirotor',
  id: 'drone-1',
  maxSpeedMps: 10,
  maxClimbMps: 3,
  maxYawRateDps: 90,
  maxAccelMps2: 4,
  payload: { kind: 'water', capacity: 20, rangeM: 15 },
};

export const rover: Platform = {
  kind: 'ground',
  id: 'rover-1',
  maxSpeedMps: 2,
  maxYawRateDps: 60,
  maxAccelMps2: 1,
  wheelBaseM: 0.5,
};

export function world(platform: Platform, extra: Partial<ScenarioInput> = {}, seed = 1): SimWorld {
  return new SimWorld({ scenario: parseScenario(scenario(extra)), platform, seed });
}

/** A minimal valid mission on a built-in scenario. */
export function mission(fields: {
  scenario?: string;
  seed?: number;
  platform?: Platform;
  sensors: unknown[];
}): Mission {
  return missionSchema.parse({
    apiVersion: 'kestrel/v1',
    mission: { id: 'sim-test', version: '1.0.0' },
    platform: fields.platform ?? drone,
    simulation: { scenario: fields.scenario ?? 'forest-fire', seed: fields.seed ?? 7, stepMs: 10 },
    sensors: fields.sensors,
    guardrails: {},
    behavior: { kind: 'hold' },
    actuator: { kind: 'sim' },
  });
}

/** Fuel load 1 over the square 0..100 m: the fire tests' ground. */
export const FUEL_SQUARE = {
  polygon: [
    [0, 0],
    [100, 0],
    [100, 100],
    [0, 100],
  ] as [number, number][],
  load: 1,
};

/**
 * One fuel square (0..100 m) with a single non-spreading fire cell at
 * (62.5, 37.5), stepped 20 s so the cell burns at full intensity; `extra`
 * adds scenario fields (lighting, for the night tests).
 */
export function oneFireWorld(extra: Partial<ScenarioInput> = {}): SimWorld {
  const sc = parseScenario(
    scenario({
      ...extra,
      fire: {
        cellM: 5,
        fuel: [FUEL_SQUARE],
        ignitions: [{ at: [62.5, 37.5], atS: 0 }],
        spreadPerS: 0,
      },
    }),
  );
  const w = new SimWorld({ scenario: sc, platform: drone, seed: 1 });
  for (let i = 0; i < 2000; i++) w.step(10);
  return w;
}
