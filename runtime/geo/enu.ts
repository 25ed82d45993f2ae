/**
 * WGS-84 geodetic <-> local ENU conversion through ECEF (exact, not a flat-earth
 * approximation), so GNSS fixes, geographic fences and the simulator agree to
 * the millimetre over a mission area. An `EnuFrame` precomputes the origin's
 * ECEF position and rotation once; conversions then allocate one result.
 */
const A = 6378137.0; // semi-major axis, m
const F = 1 / 298.257223563; // flattening
const E2 = F * (2 - F); // first eccentricity squared
const B = A * (1 - F);
const EP2 = (A * A - B * B) / (B * B); // second eccentricity squared

export interface Geodetic {
  readonly latDeg: number;
  readonly lonDeg: number;
  readonly altM: number;
}

export interface Enu {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

const DEG = Math.PI / 180;

function toEcef(latDeg: number, lonDeg: number, altM: number): [number, number, number] {
  const lat = latDeg * DEG;
  const lon = lonDeg * DEG;
  const sinLat = Math.sin(lat);
  const n = A / Math.sqrt(1 - E2 * sinLat * sinLat);
  const cosLat = Math.cos(lat);
  return [(n + altM) * cosLat * Math.cos(lon), (n + altM) * cosLat * Math.sin(lon), (n * (1 - E2) + altM) * sinLat];
}

/** Bowring's method: sub-millimetre for points near the Earth's surface in one iteration. */
function fromEcef(x: number, y: number, z: number): Geodetic {
  const p = Math.hypot(x, y);
  const theta = Math.atan2(z * A, p * B);
  const st = Math.sin(theta);
  const ct = Math.cos(theta);
  const lat = Math.atan2(z + EP2 * B * st * st * st, p - E2 * A * ct * ct * ct);
  const lon = Math.atan2(y, x);
  const sinLat = Math.sin(lat);
  const n = A / Math.sqrt(1 - E2 * sinLat * sinLat);
  const alt = p / Math.cos(lat) - n;
  return { latDeg: lat / DEG, lonDeg: lon / DEG, altM: alt };
}

export class EnuFrame {
  private readonly ox: number;
  private readonly oy: number;
  private readonly oz: number;
  private readonly sLat: number;
  private readonly cLat: number;
  private readonly sLon: number;
  private readonly cLon: number;

  constructor(readonly origin: Geodetic) {
    [this.ox, this.oy, this.oz] = toEcef(origin.latDeg, origin.lonDeg, origin.altM);
    this.sLat = Math.sin(origin.latDeg * DEG);
    this.cLat = Math.cos(origin.latDeg * DEG);
    this.sLon = Math.sin(origin.lonDeg * DEG);
    this.cLon = Math.cos(origin.lonDeg * DEG);
  }

  toEnu(latDeg: number, lonDeg: number, altM: number): Enu {
    const [x, y, z] = toEcef(latDeg, lonDeg, altM);
    const dx = x - this.ox;
    const dy = y - this.oy;
    const dz = z - this.oz;
    return {
      x: -this.sLon * dx + this.cLon * dy,
      y: -this.sLat * this.cLon * dx - this.sLat * this.sLon * dy + this.cLat * dz,
      z: this.cLat * this.cLon * dx + this.cLat * this.sLon * dy + this.sLat * dz,
    };
  }

  toGeodetic(e: number, n: number, u: number): Geodetic {
    const dx = -this.sLon * e - this.sLat * this.cLon * n + this.cLat * this.cLon * u;
    const dy = this.cLon * e - this.sLat * this.sLon * n + this.cLat * this.sLon * u;
    const dz = this.cLat * n + this.sLat * u;
    return fromEcef(this.ox + dx, this.oy + dy, this.oz + dz);
  }
}
