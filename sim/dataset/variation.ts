import type { Rgb } from '../geometry.js';
import type { RandomStream } from '../random.js';
import type { Scenario, ScenarioPerson, ScenarioTraffic } from '../scenario/schema.js';

/** Clothing and paint a detector must not tie to one class: bright, dull, and fire-like reds. */
const PALETTE: readonly Rgb[] = [
  [40, 70, 160],
  [160, 60, 40],
  [220, 60, 30],
  [230, 220, 60],
  [30, 30, 35],
  [235, 235, 235],
  [60, 120, 60],
  [120, 90, 160],
  [240, 140, 40],
  [90, 90, 100],
];

function pick<T>(rng: RandomStream, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

function jitter(rng: RandomStream, c: Rgb): [number, number, number] {
  const j = (v: number): number => Math.max(0, Math.min(255, Math.round(v + rng.uniform(-25, 25))));
  return [j(c[0]), j(c[1]), j(c[2])];
}

/**
 * One episode's variant of a scenario, so a detector trained on the export
 * sees more than one afternoon: light, fog, wind (where fire and smoke go),
 * smoke density, extra fires at random places and times, and extra people and
 * vehicles (more examples, and distractors of fire-like colours). Geometry,
 * fuel and ground stay the scenario's.
 */
export function varyScenario(base: Scenario, rng: RandomStream, spanS: number): Scenario {
  const b = base.bounds;
  const point = (): [number, number] => [rng.uniform(b.minX, b.maxX), rng.uniform(b.minY, b.maxY)];
  const extraPersons: ScenarioPerson[] = [];
  const nPersons = 3 + rng.int(8);
  for (let i = 0; i < nPersons; i++) {
    extraPersons.push({
      id: `extra-person-${i}`,
      speedMps: rng.uniform(0.6, 1.8),
      colour: jitter(rng, pick(rng, PALETTE)),
      wander: { center: point(), radiusM: rng.uniform(5, 40) },
      startS: 0,
    });
  }
  const extraTraffic: ScenarioTraffic[] = [];
  const nTraffic = rng.int(4);
  for (let i = 0; i < nTraffic; i++) {
    const length = rng.uniform(3.8, 9);
    extraTraffic.push({
      id: `extra-vehicle-${i}`,
      label: 'vehicle',
      sizeM: [length, rng.uniform(1.7, 2.6), rng.uniform(1.4, 3.2)],
      colour: jitter(rng, pick(rng, PALETTE)),
      speedMps: rng.uniform(2, 12),
      path: [point(), point(), point()],
      loop: true,
      startS: 0,
    });
  }
  const fire =
    base.fire === undefined
      ? undefined
      : {
          ...base.fire,
          ignitions: [
            ...base.fire.ignitions,
            ...Array.from({ length: 1 + rng.int(4) }, () => ({ at: point(), atS: rng.uniform(0, spanS) })),
          ],
          spreadPerS: base.fire.spreadPerS * rng.uniform(0.5, 1.5),
        };
  const light = base.lighting;
  return {
    ...base,
    lighting: {
      ...light,
      ambient: Math.max(0.05, Math.min(1, light.ambient * rng.uniform(0.55, 1.1))),
      visibilityM: light.visibilityM * rng.uniform(0.3, 1.5),
    },
    wind: { speedMps: rng.uniform(0, 7), towardDeg: rng.uniform(0, 360) },
    smoke: { ...base.smoke, opacity: Math.min(1, base.smoke.opacity * rng.uniform(0.3, 1.8)) },
    ...(fire === undefined ? {} : { fire }),
    persons: [...base.persons, ...extraPersons],
    vehicles: [...base.vehicles, ...extraTraffic],
    // Faults belong to missions, not to training pictures.
    events: [],
  };
}
