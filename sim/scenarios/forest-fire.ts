import type { ScenarioInput } from '../scenario/schema.js';

/**
 * A 400 x 300 m forest block (the fuel) with a village in its north-east
 * corner (x 300-420, y 240-320, no fuel), a dirt road along its south edge and
 * two fires, the second starting 30 s in. Matches missions/examples/firefighting-drone.yaml.
 */
export const forestFire: ScenarioInput = {
  name: 'forest-fire',
  description: 'Firefighting drone over a forest block with a village; two spreading fires in a south-westerly breeze.',
  bounds: { minX: -60, minY: -60, maxX: 460, maxY: 360 },
  origin: { lat: 38.8977, lon: -121.0335, altM: 420 },
  home: { x: -10, y: -10, yawDeg: 0 },
  ground: {
    colour: [52, 88, 40],
    variation: 0.35,
    areas: [
      {
        name: 'meadow',
        polygon: [
          [20, 150],
          [90, 150],
          [90, 220],
          [20, 220],
        ],
        colour: [118, 140, 66],
      },
      {
        name: 'road',
        polygon: [
          [-60, -16],
          [460, -16],
          [460, -6],
          [-60, -6],
        ],
        colour: [150, 128, 96],
      },
      {
        name: 'helipad',
        polygon: [
          [-16, -16],
          [-4, -16],
          [-4, -4],
          [-16, -4],
        ],
        colour: [175, 175, 170],
      },
      {
        name: 'village',
        polygon: [
          [300, 240],
          [420, 240],
          [420, 320],
          [300, 320],
        ],
        colour: [168, 158, 132],
      },
      {
        name: 'village-street',
        polygon: [
          [300, 276],
          [420, 276],
          [420, 284],
          [300, 284],
        ],
        colour: [110, 108, 104],
      },
    ],
  },
  buildings: [
    {
      name: 'house-1',
      polygon: [
        [310, 250],
        [322, 250],
        [322, 262],
        [310, 262],
      ],
      heightM: 7,
      colour: [190, 180, 160],
      roofColour: [150, 60, 45],
    },
    {
      name: 'house-2',
      polygon: [
        [335, 252],
        [347, 252],
        [347, 266],
        [335, 266],
      ],
      heightM: 6,
      colour: [190, 180, 160],
      roofColour: [120, 70, 50],
    },
    {
      name: 'house-3',
      polygon: [
        [362, 250],
        [376, 250],
        [376, 262],
        [362, 262],
      ],
      heightM: 7,
      colour: [200, 190, 170],
      roofColour: [150, 60, 45],
    },
    {
      name: 'barn',
      polygon: [
        [390, 248],
        [414, 248],
        [414, 266],
        [390, 266],
      ],
      heightM: 9,
      colour: [140, 50, 40],
      roofColour: [90, 90, 95],
    },
    {
      name: 'house-4',
      polygon: [
        [312, 292],
        [326, 292],
        [326, 306],
        [312, 306],
      ],
      heightM: 7,
      colour: [190, 180, 160],
      roofColour: [120, 70, 50],
    },
    {
      name: 'house-5',
      polygon: [
        [345, 294],
        [357, 294],
        [357, 306],
        [345, 306],
      ],
      heightM: 6,
      colour: [200, 190, 170],
      roofColour: [150, 60, 45],
    },
    {
      name: 'church',
      polygon: [
        [380, 290],
        [400, 290],
        [400, 312],
        [380, 312],
      ],
      heightM: 14,
      colour: [210, 205, 195],
      roofColour: [80, 80, 90],
    },
  ],
  fire: {
    cellM: 5,
    fuel: [
      {
        polygon: [
          [0, 0],
          [400, 0],
          [400, 300],
          [0, 300],
        ],
        load: 0.9,
      },
      {
        polygon: [
          [20, 150],
          [90, 150],
          [90, 220],
          [20, 220],
        ],
        load: 0.35,
      },
      {
        polygon: [
          [295, 235],
          [425, 235],
          [425, 325],
          [295, 325],
        ],
        load: 0,
      },
    ],
    ignitions: [
      { at: [150, 120], atS: 0 },
      { at: [262, 72], atS: 30 },
    ],
    // A creeping surface fire in damp forest litter under the canopy (the 3 m/s
    // breeze is well under 1 m/s at flame height): it spreads about 1 m a
    // minute, so a fire the drone finds two or three minutes after ignition
    // is still a spot fire of a few cells, the kind a 40 L drone is sent to
    // (0.006 grew it to 10-40 cells by then, more than any 40 L tank holds).
    spreadPerS: 0.0015,
    burnTimeS: 240,
    // Litres that knock down a fully burning 5 x 5 m cell. In a creeping
    // litter fire only the flaming front, a band of 3-4 m2 of the cell, is
    // alight; half a litre per m2 of it from a fine spray knocks it down: 2 L.
    // (8 L, 0.32 L/m2 over the whole cell, is what a fire burning across
    // the whole cell, taller and hotter, would need.)
    waterPerCellL: 2,
  },
  wind: { speedMps: 3, towardDeg: 35 },
  smoke: { opacity: 0.4, heightM: 12, radiusM: 8 },
  persons: [
    {
      id: 'hiker',
      path: [
        [90, 230],
        [170, 238],
        [230, 210],
        [170, 238],
      ],
      speedMps: 1.2,
      colour: [220, 60, 30],
    },
    { id: 'villager-1', wander: { center: [350, 280], radiusM: 20 }, speedMps: 1 },
    { id: 'villager-2', wander: { center: [395, 280], radiusM: 12 }, speedMps: 0.8, colour: [230, 220, 60] },
  ],
  vehicles: [
    {
      id: 'fire-engine',
      label: 'vehicle',
      path: [
        [-50, -11],
        [450, -11],
      ],
      speedMps: 8,
      sizeM: [8, 2.5, 3],
      colour: [200, 20, 20],
    },
  ],
  events: [
    { kind: 'imu_spike', atS: 60, durationS: 0.3 },
    { kind: 'gnss_outage', atS: 150, durationS: 15 },
    { kind: 'camera_freeze', atS: 200, durationS: 2 },
    { kind: 'link_loss', atS: 240, durationS: 20 },
    { kind: 'low_battery', atS: 600, value: 28 },
  ],
};
