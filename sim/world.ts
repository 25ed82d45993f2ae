import { EnuFrame } from '../runtime/index.js';
import type { Action } from '../runtime/index.js';
import type { Platform } from '../missions/index.js';
import { FireGrid } from './entities/fire.js';
import { Person } from './entities/person.js';
import { TrafficVehicle } from './entities/traffic.js';
import { SegmentSet, segmentDistanceSq, type Rgb, type XY } from './geometry.js';
import { RandomSource } from './random.js';
import type { FaultKind, Scenario } from './scenario/schema.js';
import { DiffDrive } from './vehicles/diff-drive.js';
import { FixedSite } from './vehicles/fixed-site.js';
import { Multirotor } from './vehicles/multirotor.js';
import type { SimVehicle, VehicleEnv } from './vehicles/vehicle.js';

export interface SimWorldOptions {
  readonly scenario: Scenario;
  readonly platform: Platform;
  readonly seed: number;
  /** The mission's GNSS origin; wins over the scenario's so GNSS and mission geometry agree. */
  readonly origin?: { readonly lat: number; readonly lon: number; readonly altM: number };
}

/** A solid seen from above (obstacle or building), for the renderer's top view. */
export interface Solid {
  readonly polygon: readonly XY[];
  readonly heightM: number;
  readonly colour: Rgb;
  readonly roofColour: Rgb;
}

/** Ground truth at one instant: what evaluation and dataset export compare against. */
export interface SimTruth {
  readonly timeMs: number;
  readonly vehicle: {
    readonly kind: SimVehicle['kind'];
    readonly positionM: { readonly x: number; readonly y: number; readonly z: number };
    readonly yawRad: number;
    readonly velocityMps: { readonly x: number; readonly y: number; readonly z: number };
    readonly yawRateRps: number;
    readonly mode: string;
    readonly landed: boolean;
    readonly collided: boolean;
    readonly batteryPct: number;
    readonly payloadOn: boolean;
    readonly payloadLeft: number;
  };
  readonly fires: {
    readonly burning: number;
    readonly burnt: number;
    readonly extinguished: number;
    readonly cells: readonly { readonly x: number; readonly y: number; readonly intensity: number }[];
  };
  readonly persons: readonly {
    readonly id: string;
    readonly x: number;
    readonly y: number;
    readonly headingRad: number;
  }[];
  readonly vehicles: readonly {
    readonly id: string;
    readonly label: string;
    readonly x: number;
    readonly y: number;
    readonly yawRad: number;
  }[];
  readonly faults: readonly FaultKind[];
}

/**
 * The simulated world: scenario geometry, the mission's vehicle, fire, persons
 * and traffic, advanced by `step(dtMs)`. Pure: no bus, no clock, no files;
 * time moves only when the caller steps it.
 *
 * @example
 * const world = new SimWorld({ scenario: builtinScenario('forest-fire')!, platform, seed: 7 });
 * world.apply({ kind: 'goto', target: { frame: 'local', x: 100, y: 50 }, altitudeM: 40 });
 * for (let i = 0; i < 1000; i++) world.step(10); // 10 s
 */
export class SimWorld {
  readonly scenario: Scenario;
  readonly frame: EnuFrame;
  readonly rng: RandomSource;
  readonly vehicle: SimVehicle;
  readonly fire: FireGrid | undefined;
  readonly persons: readonly Person[];
  readonly traffic: readonly TrafficVehicle[];
  /** Faces of walls, obstacles and buildings, for ray casts and collisions. */
  readonly segments: SegmentSet;
  readonly solids: readonly Solid[];
  readonly home: { readonly x: number; readonly y: number; readonly yawRad: number };
  readonly wind: { readonly speedMps: number; readonly towardRad: number; readonly vx: number; readonly vy: number };
  private elapsedMs = 0;
  private readonly firedEvents = new Set<number>();

  constructor(options: SimWorldOptions) {
    const sc = options.scenario;
    this.scenario = sc;
    this.rng = new RandomSource(options.seed);
    const o = options.origin ?? sc.origin;
    this.frame = new EnuFrame({ latDeg: o.lat, lonDeg: o.lon, altM: o.altM });
    this.home = { x: sc.home.x, y: sc.home.y, yawRad: (sc.home.yawDeg * Math.PI) / 180 };
    const towardRad = (sc.wind.towardDeg * Math.PI) / 180;
    this.wind = {
      speedMps: sc.wind.speedMps,
      towardRad,
      vx: sc.wind.speedMps * Math.cos(towardRad),
      vy: sc.wind.speedMps * Math.sin(towardRad),
    };

    const solids: Solid[] = [];
    for (const s of [...sc.obstacles, ...sc.buildings]) {
      solids.push({
        polygon: s.polygon,
        heightM: s.heightM,
        colour: s.colour,
        roofColour: s.roofColour ?? darker(s.colour),
      });
    }
    this.solids = solids;
    let count = 0;
    for (const s of solids) count += s.polygon.length;
    for (const w of sc.walls) count += w.points.length - 1;
    this.segments = new SegmentSet(count);
    for (const s of solids) this.segments.addPolygon(s.polygon, s.heightM, s.colour);
    for (const w of sc.walls) this.segments.addPolyline(w.points, w.heightM, w.colour, w.thicknessM / 2);

    const env: VehicleEnv = { home: this.home, frame: this.frame, collides: (x, y, r) => this.collides(x, y, r) };
    this.vehicle = makeVehicle(options.platform, env);
    this.fire =
      sc.fire === undefined
        ? undefined
        : new FireGrid(
            { bounds: sc.bounds, spec: sc.fire, wind: { speedMps: sc.wind.speedMps, towardRad } },
            this.rng.stream('fire'),
          );
    this.persons = sc.persons.map((p) => new Person(p, this.rng.stream(`person:${p.id}`)));
    this.traffic = sc.vehicles.map((v) => new TrafficVehicle(v));
  }

  /** Simulated milliseconds since the world began. */
  get timeMs(): number {
    return this.elapsedMs;
  }

  get timeS(): number {
    return this.elapsedMs / 1000;
  }

  /** Hands an action to the vehicle, effective from the next step. */
  apply(action: Action): void {
    this.vehicle.apply(action, this.timeS);
  }

  step(dtMs: number): void {
    const dtS = dtMs / 1000;
    this.elapsedMs += dtMs;
    const nowS = this.timeS;
    this.fireEvents(nowS);
    const litres = this.vehicle.step(dtS, nowS);
    if (litres > 0 && this.fire !== undefined) {
      const s = this.vehicle.state;
      const range = this.vehicle.payload.spec.rangeM;
      // Water reaches the ground within the payload's range: a disc under the vehicle shrinking with height.
      if (s.z < range) this.fire.applyWater(s.x, s.y, Math.sqrt(range * range - s.z * s.z), litres);
    }
    this.fire?.step(dtS);
    for (const p of this.persons) p.step(dtS, nowS);
    for (const t of this.traffic) t.step(dtS, nowS);
  }

  /** Whether a scripted fault is active now, for a sensor id (or any sensor when the event names none). */
  faultActive(kind: FaultKind, sensorId?: string): boolean {
    const t = this.timeS;
    for (const e of this.scenario.events) {
      if (e.kind !== kind || t < e.atS || t >= e.atS + e.durationS) continue;
      if (e.sensorId === undefined || sensorId === undefined || e.sensorId === sensorId) return true;
    }
    return false;
  }

  /** True when a disc at (x, y) touches a wall or an obstacle face. */
  collides(x: number, y: number, radiusM: number): boolean {
    const seg = this.segments;
    for (let i = 0; i < seg.count; i++) {
      const r = radiusM + (seg.padM[i] as number);
      if (segmentDistanceSq(seg, i, x, y) < r * r) return true;
    }
    return false;
  }

  truth(): SimTruth {
    const s = this.vehicle.state;
    const fire = this.fire;
    const cells =
      fire === undefined
        ? []
        : fire
            .burningCells()
            .map((i) => ({ x: fire.cellCenterX(i), y: fire.cellCenterY(i), intensity: fire.intensity[i] as number }));
    const faults = (['gnss_outage', 'camera_freeze', 'imu_spike', 'link_loss'] as const).filter((k) =>
      this.faultActive(k),
    );
    return {
      timeMs: this.elapsedMs,
      vehicle: {
        kind: this.vehicle.kind,
        positionM: { x: s.x, y: s.y, z: s.z },
        yawRad: s.yawRad,
        velocityMps: { x: s.vx, y: s.vy, z: s.vz },
        yawRateRps: s.yawRateRps,
        mode: s.mode,
        landed: s.landed,
        collided: s.collided,
        batteryPct: this.vehicle.battery.percent,
        payloadOn: this.vehicle.payload.on,
        payloadLeft: this.vehicle.payload.left,
      },
      fires: { burning: cells.length, burnt: fire?.burntCells ?? 0, extinguished: fire?.extinguishedCells ?? 0, cells },
      persons: this.persons.map((p) => ({ id: p.id, x: p.x, y: p.y, headingRad: p.headingRad })),
      vehicles: this.traffic.map((v) => ({ id: v.id, label: v.label, x: v.x, y: v.y, yawRad: v.yawRad })),
      faults,
    };
  }

  private fireEvents(nowS: number): void {
    this.scenario.events.forEach((e, i) => {
      if (e.kind !== 'low_battery' || nowS < e.atS || this.firedEvents.has(i)) return;
      this.firedEvents.add(i);
      this.vehicle.battery.setPercent(e.value ?? 20);
    });
  }
}

function makeVehicle(platform: Platform, env: VehicleEnv): SimVehicle {
  switch (platform.kind) {
    case 'multirotor':
      return new Multirotor(
        {
          maxSpeedMps: platform.maxSpeedMps,
          maxClimbMps: platform.maxClimbMps,
          maxYawRateDps: platform.maxYawRateDps,
          maxAccelMps2: platform.maxAccelMps2,
          ...(platform.massKg === undefined ? {} : { massKg: platform.massKg }),
          ...(platform.payload === undefined ? {} : { payload: platform.payload }),
        },
        env,
      );
    case 'ground':
      return new DiffDrive(
        {
          maxSpeedMps: platform.maxSpeedMps,
          maxYawRateDps: platform.maxYawRateDps,
          maxAccelMps2: platform.maxAccelMps2,
          wheelBaseM: platform.wheelBaseM,
          ...(platform.footprint === undefined ? {} : { footprint: platform.footprint }),
          ...(platform.massKg === undefined ? {} : { massKg: platform.massKg }),
        },
        env,
      );
    case 'fixed_site':
      return new FixedSite(env);
  }
}

function darker(c: Rgb): Rgb {
  return [Math.round(c[0] * 0.7), Math.round(c[1] * 0.7), Math.round(c[2] * 0.7)];
}
