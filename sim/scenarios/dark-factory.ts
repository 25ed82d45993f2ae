import type { ScenarioInput } from '../scenario/schema.js';

/**
 * An unlit 60 x 30 m factory hall: a press line (x 20-30, y 10-20), pumps and
 * a valve bank at the inspection points of missions/examples/factory-inspection.yaml,
 * pillars, a rack, a forklift, a worker, and a second worker who steps into
 * the aisle at 40 s.
 */
export const darkFactory: ScenarioInput = {
  name: 'dark-factory',
  description: 'Ground robot inspection round in an unlit factory hall.',
  bounds: { minX: -2, minY: -2, maxX: 62, maxY: 32 },
  origin: { lat: 48.137, lon: 11.575, altM: 520 },
  home: { x: 3, y: 3, yawDeg: 0 },
  ground: {
    colour: [96, 96, 100],
    variation: 0.12,
    areas: [
      {
        name: 'walkway-south',
        polygon: [
          [0, 8.4],
          [60, 8.4],
          [60, 8.6],
          [0, 8.6],
        ],
        colour: [210, 180, 40],
      },
      {
        name: 'walkway-north',
        polygon: [
          [0, 21.4],
          [60, 21.4],
          [60, 21.6],
          [0, 21.6],
        ],
        colour: [210, 180, 40],
      },
      {
        name: 'dock',
        polygon: [
          [1, 1],
          [5, 1],
          [5, 5],
          [1, 5],
        ],
        colour: [60, 110, 60],
      },
    ],
  },
  sky: [28, 28, 32],
  lighting: { ambient: 0.22, headlightM: 12, visibilityM: 80 },
  walls: [
    {
      name: 'hall',
      points: [
        [0, 0],
        [60, 0],
        [60, 30],
        [0, 30],
        [0, 0],
      ],
      heightM: 8,
      thicknessM: 0.3,
      colour: [118, 116, 112],
    },
  ],
  obstacles: [
    {
      name: 'press-line',
      polygon: [
        [20, 10],
        [30, 10],
        [30, 20],
        [20, 20],
      ],
      heightM: 3.5,
      colour: [60, 85, 130],
    },
    {
      name: 'pump-1',
      polygon: [
        [7.4, 3.4],
        [8.6, 3.4],
        [8.6, 4.2],
        [7.4, 4.2],
      ],
      heightM: 1.2,
      colour: [40, 120, 60],
    },
    {
      name: 'pump-2',
      polygon: [
        [44.4, 4.4],
        [45.6, 4.4],
        [45.6, 5.2],
        [44.4, 5.2],
      ],
      heightM: 1.2,
      colour: [40, 120, 60],
    },
    {
      name: 'valve-bank',
      polygon: [
        [48.5, 26.2],
        [51.5, 26.2],
        [51.5, 27.2],
        [48.5, 27.2],
      ],
      heightM: 1.8,
      colour: [170, 40, 40],
    },
    {
      name: 'rack',
      polygon: [
        [36, 12],
        [42, 12],
        [42, 18],
        [36, 18],
      ],
      heightM: 4,
      colour: [150, 110, 60],
    },
    {
      name: 'pillar-1',
      polygon: [
        [13.7, 7.2],
        [14.3, 7.2],
        [14.3, 7.8],
        [13.7, 7.8],
      ],
      heightM: 8,
      colour: [150, 150, 150],
    },
    {
      name: 'pillar-2',
      polygon: [
        [13.7, 22.2],
        [14.3, 22.2],
        [14.3, 22.8],
        [13.7, 22.8],
      ],
      heightM: 8,
      colour: [150, 150, 150],
    },
    {
      name: 'pillar-3',
      polygon: [
        [39.7, 7.2],
        [40.3, 7.2],
        [40.3, 7.8],
        [39.7, 7.8],
      ],
      heightM: 8,
      colour: [150, 150, 150],
    },
    {
      name: 'pillar-4',
      polygon: [
        [39.7, 22.2],
        [40.3, 22.2],
        [40.3, 22.8],
        [39.7, 22.8],
      ],
      heightM: 8,
      colour: [150, 150, 150],
    },
  ],
  persons: [
    {
      id: 'worker-1',
      path: [
        [10, 25],
        [50, 23.5],
      ],
      speedMps: 1.1,
      colour: [230, 120, 20],
    },
    {
      id: 'worker-2',
      path: [
        [26, 1.5],
        [26, 8.5],
        [33, 8.5],
      ],
      loop: false,
      startS: 40,
      speedMps: 1.2,
      colour: [220, 220, 40],
    },
  ],
  vehicles: [
    {
      id: 'forklift',
      label: 'vehicle',
      path: [
        [5, 12.5],
        [16, 12.5],
        [16, 27],
        [5, 27],
      ],
      speedMps: 1.5,
      sizeM: [2.5, 1.2, 2.1],
      colour: [230, 170, 20],
    },
  ],
  events: [
    { kind: 'imu_spike', atS: 30, durationS: 0.2 },
    { kind: 'camera_freeze', atS: 60, durationS: 2 },
    { kind: 'link_loss', atS: 90, durationS: 10 },
    { kind: 'low_battery', atS: 150, value: 24 },
  ],
};
