import type { ScenarioInput } from '../scenario/schema.js';

/**
 * A fenced 200 x 100 m compound at night: a perimeter road just inside the
 * fence, a warehouse, a guard house, containers, a guard, a patrolling car,
 * and an intruder who crosses the compound from 20 s. Matches
 * missions/examples/perimeter-patrol.yaml.
 */
export const perimeter: ScenarioInput = {
  name: 'perimeter',
  description: 'Night-time perimeter patrol of a fenced compound.',
  bounds: { minX: -40, minY: -40, maxX: 240, maxY: 140 },
  origin: { lat: 51.4545, lon: -2.5879, altM: 30 },
  home: { x: 0, y: 0, yawDeg: 0 },
  ground: {
    colour: [66, 96, 52],
    variation: 0.22,
    areas: [
      {
        name: 'road-south',
        polygon: [
          [-3, -3],
          [203, -3],
          [203, 3],
          [-3, 3],
        ],
        colour: [78, 78, 82],
      },
      {
        name: 'road-north',
        polygon: [
          [-3, 97],
          [203, 97],
          [203, 103],
          [-3, 103],
        ],
        colour: [78, 78, 82],
      },
      {
        name: 'road-west',
        polygon: [
          [-3, -3],
          [3, -3],
          [3, 103],
          [-3, 103],
        ],
        colour: [78, 78, 82],
      },
      {
        name: 'road-east',
        polygon: [
          [197, -3],
          [203, -3],
          [203, 103],
          [197, 103],
        ],
        colour: [78, 78, 82],
      },
      {
        name: 'yard',
        polygon: [
          [50, 20],
          [130, 20],
          [130, 80],
          [50, 80],
        ],
        colour: [105, 105, 108],
      },
    ],
  },
  sky: [18, 22, 40],
  lighting: { ambient: 0.4, headlightM: 25, visibilityM: 300 },
  walls: [
    {
      name: 'fence',
      points: [
        [-4, -4],
        [204, -4],
        [204, 104],
        [-4, 104],
        [-4, -4],
      ],
      heightM: 2.4,
      thicknessM: 0.1,
      colour: [150, 155, 160],
    },
  ],
  buildings: [
    {
      name: 'warehouse',
      polygon: [
        [60, 30],
        [120, 30],
        [120, 70],
        [60, 70],
      ],
      heightM: 9,
      colour: [150, 140, 120],
      roofColour: [105, 105, 112],
    },
    {
      name: 'guard-house',
      polygon: [
        [10, 10],
        [16, 10],
        [16, 15],
        [10, 15],
      ],
      heightM: 3,
      colour: [200, 200, 190],
      roofColour: [70, 70, 70],
    },
  ],
  obstacles: [
    {
      name: 'container-1',
      polygon: [
        [150, 20],
        [162, 20],
        [162, 22.5],
        [150, 22.5],
      ],
      heightM: 2.6,
      colour: [40, 90, 150],
    },
    {
      name: 'container-2',
      polygon: [
        [150, 24],
        [162, 24],
        [162, 26.5],
        [150, 26.5],
      ],
      heightM: 2.6,
      colour: [170, 60, 40],
    },
  ],
  persons: [
    { id: 'guard', wander: { center: [30, 50], radiusM: 15 }, speedMps: 1 },
    {
      id: 'intruder',
      path: [
        [190, 60],
        [170, 50],
        [140, 80],
        [100, 92],
        [40, 99],
        [10, 99],
      ],
      loop: false,
      startS: 20,
      speedMps: 1.6,
      colour: [30, 30, 30],
    },
  ],
  vehicles: [
    { id: 'van', label: 'vehicle', path: [[170, 80]], sizeM: [5.5, 2.1, 2.4], colour: [230, 230, 235] },
    {
      id: 'car',
      label: 'vehicle',
      path: [
        [20, 88],
        [180, 88],
        [180, 84],
        [20, 84],
      ],
      speedMps: 4,
      colour: [30, 60, 160],
    },
  ],
  events: [
    { kind: 'imu_spike', atS: 25, durationS: 0.2 },
    { kind: 'gnss_outage', atS: 45, durationS: 20 },
    { kind: 'camera_freeze', atS: 70, durationS: 2 },
    { kind: 'link_loss', atS: 100, durationS: 15 },
    { kind: 'low_battery', atS: 200, value: 22 },
  ],
};
