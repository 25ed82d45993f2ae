import type { ScenarioInput } from '../scenario/schema.js';
import { forestFire } from './forest-fire.js';

/**
 * The forest-fire block at night: the domain shift the field data loop
 * (docs/fieldloop.md) is proved on. Same terrain, fuel, fires, people and
 * vehicles as `forest-fire`, but moonlight only (ambient 0.15), a dark sky,
 * haze, each burning cell lighting the ground around it in orange, and
 * denser smoke. The day-trained detector has never seen any of that.
 */
export const forestFireNight: ScenarioInput = {
  ...forestFire,
  name: 'forest-fire-night',
  description: 'The forest-fire block at night: moonlight, fires glowing on the ground around them, denser smoke.',
  sky: [18, 22, 38],
  lighting: { ambient: 0.15, headlightM: 0, visibilityM: 900, fireGlowM: 7 },
  smoke: { opacity: 0.6, heightM: 12, radiusM: 9 },
};
