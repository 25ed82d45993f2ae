import type { Mission } from '../missions/index.js';
import { missionFrame, polygonToLocal } from '../missions/index.js';

export interface ResolvedZone {
  readonly name: string;
  /** Local ENU metres, open ring. */
  readonly polygon: readonly (readonly [number, number])[];
}

export type ZoneLookup =
  | { readonly ok: true; readonly zone: ResolvedZone }
  | { readonly ok: false; readonly reason: string; readonly known: readonly string[] };

/**
 * Named places of one mission. A name resolves only to a zone the mission
 * file defines (its name or an alias, ignoring case, spacing and a leading
 * "the"); anything else is refused with the list of names that exist, so an
 * operator hears "unknown zone" rather than the drone flying somewhere else.
 */
export class ZoneIndex {
  private readonly byName = new Map<string, ResolvedZone>();
  private readonly names: string[] = [];
  private readonly spoken: { readonly name: string; readonly forms: readonly string[] }[] = [];

  constructor(mission: Mission) {
    const frame = missionFrame(mission);
    for (const zone of mission.zones) {
      const resolved: ResolvedZone = { name: zone.name, polygon: polygonToLocal(zone.polygon, frame) };
      this.names.push(zone.name);
      for (const name of [zone.name, ...zone.aliases]) this.byName.set(normaliseZoneName(name), resolved);
      this.spoken.push({ name: zone.name, forms: [zone.name, ...zone.aliases].map(normaliseZoneName) });
    }
  }

  get known(): readonly string[] {
    return this.names;
  }

  /** Each zone's name and the forms an operator may say it by (name and aliases, normalised). */
  get forms(): readonly { readonly name: string; readonly forms: readonly string[] }[] {
    return this.spoken;
  }

  resolve(name: string): ZoneLookup {
    const zone = this.byName.get(normaliseZoneName(name));
    if (zone !== undefined) return { ok: true, zone };
    const known = this.names.length === 0 ? 'the mission defines no zones' : `known zones: ${this.names.join(', ')}`;
    return { ok: false, reason: `unknown zone "${name}" (${known})`, known: this.names };
  }
}

export function normaliseZoneName(name: string): string {
  return name.toLowerCase().trim().replace(/\s+/g, ' ').replace(/^the /, '');
}
