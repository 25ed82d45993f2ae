import { actionSchema, type Action } from '../../runtime/index.js';

/** What is wrong with an action, and where. */
export interface ActionProblem {
  /** Dotted path of the field at fault, e.g. `linearMps.x`. */
  readonly path: string;
  readonly value: unknown;
  readonly code: 'action.not_finite' | 'action.out_of_range' | 'action.unknown_kind' | 'action.unregistered';
  readonly message: string;
}

// The action union's own tags: a kind added to the schema is known here without a second list.
const KNOWN_KINDS: ReadonlySet<string> = new Set(actionSchema.options.map((o) => o.shape.kind.value));

function notFinite(path: string, value: unknown): ActionProblem {
  return {
    path,
    value: String(value),
    code: 'action.not_finite',
    message: `${path} is ${String(value)}, not a finite number`,
  };
}

function finite(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Finds the first field of `action` the guard cannot reason about: NaN or
 * ±Infinity anywhere, a non-positive speed or duration, a coordinate out of
 * range, an unknown kind. Returns `undefined` for a sound action, allocating
 * nothing on that path (every proposal goes through here).
 *
 * Inside the runtime actions travel as typed values without a schema parse,
 * and a NaN passes every `<` comparison a rule makes (`NaN > max` is false),
 * so this check runs first and again on every action a rule hands back.
 *
 * @param customActions registered `custom` action names; `undefined` accepts any name.
 */
export function findActionProblem(action: Action, customActions?: ReadonlySet<string>): ActionProblem | undefined {
  // Typed values can still be anything at run time: a plugin may hand over JSON it never parsed.
  const kind = (action as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !KNOWN_KINDS.has(kind)) {
    return {
      path: 'kind',
      value: String(kind),
      code: 'action.unknown_kind',
      message: `unknown action kind "${String(kind)}"`,
    };
  }
  switch (action.kind) {
    case 'velocity': {
      const l = action.linearMps as { x: unknown; y: unknown; z: unknown } | undefined;
      if (l === undefined || typeof l !== 'object') return notFinite('linearMps', l);
      if (!finite(l.x)) return notFinite('linearMps.x', l.x);
      if (!finite(l.y)) return notFinite('linearMps.y', l.y);
      if (!finite(l.z)) return notFinite('linearMps.z', l.z);
      if (!finite(action.yawRateRps)) return notFinite('yawRateRps', action.yawRateRps);
      return undefined;
    }
    case 'goto': {
      const t = action.target as
        { frame?: unknown; x?: unknown; y?: unknown; lat?: unknown; lon?: unknown } | undefined;
      if (t === undefined || typeof t !== 'object') return notFinite('target', t);
      if (t.frame === 'local') {
        if (!finite(t.x)) return notFinite('target.x', t.x);
        if (!finite(t.y)) return notFinite('target.y', t.y);
      } else if (t.frame === 'geo') {
        if (!finite(t.lat)) return notFinite('target.lat', t.lat);
        if (!finite(t.lon)) return notFinite('target.lon', t.lon);
        const lat = t.lat as number;
        const lon = t.lon as number;
        if (lat < -90 || lat > 90) return range('target.lat', lat, 'must be within [-90, 90] degrees');
        if (lon < -180 || lon > 180) return range('target.lon', lon, 'must be within [-180, 180] degrees');
      } else {
        return range('target.frame', t.frame, 'must be "local" or "geo"');
      }
      if (action.altitudeM !== undefined && !finite(action.altitudeM)) return notFinite('altitudeM', action.altitudeM);
      if (action.speedMps !== undefined) {
        if (!finite(action.speedMps)) return notFinite('speedMps', action.speedMps);
        if (action.speedMps <= 0) return range('speedMps', action.speedMps, 'must be > 0 m/s');
      }
      return undefined;
    }
    case 'payload':
      if (typeof action.on !== 'boolean') return range('on', action.on, 'must be true or false');
      if (action.durationS !== undefined) {
        if (!finite(action.durationS)) return notFinite('durationS', action.durationS);
        if (action.durationS <= 0) return range('durationS', action.durationS, 'must be > 0 s');
      }
      return undefined;
    case 'gimbal':
      if (!finite(action.pitchDeg)) return notFinite('pitchDeg', action.pitchDeg);
      if (!finite(action.yawDeg)) return notFinite('yawDeg', action.yawDeg);
      if (Math.abs(action.pitchDeg) > 180)
        return range('pitchDeg', action.pitchDeg, 'must be within [-180, 180] degrees');
      if (Math.abs(action.yawDeg) > 180) return range('yawDeg', action.yawDeg, 'must be within [-180, 180] degrees');
      return undefined;
    case 'custom':
      if (customActions !== undefined && !customActions.has(action.name)) {
        return {
          path: 'name',
          value: action.name,
          code: 'action.unregistered',
          message: `custom action "${action.name}" is not registered with the guard`,
        };
      }
      return undefined;
    case 'hold':
    case 'return_home':
    case 'land':
    case 'stop':
      return undefined;
  }
}

function range(path: string, value: unknown, what: string): ActionProblem {
  return { path, value, code: 'action.out_of_range', message: `${path} ${what}, got ${String(value)}` };
}
