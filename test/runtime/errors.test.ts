import { describe, expect, it } from 'vitest';
import {
  BusError,
  KestrelError,
  LifecycleError,
  formatIssues,
  formatPath,
  isKestrelError,
} from '../../runtime/index.js';
import type { KestrelIssue } from '../../runtime/index.js';

describe('KestrelError', () => {
  it('carries a stable code, a message, issues and a cause', () => {
    const cause = new Error('disk full');
    const issues: KestrelIssue[] = [{ code: 'too_small', path: ['guardrails', 'geofence', 2], message: 'too few' }];
    const error = new KestrelError('mission.invalid', 'mission is invalid', { issues, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('mission.invalid');
    expect(error.message).toBe('mission is invalid');
    expect(error.issues).toEqual(issues);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('KestrelError');
  });

  it('has no issues and no cause unless given', () => {
    const error = new KestrelError('x.y', 'm');
    expect(error.issues).toEqual([]);
    expect('cause' in error).toBe(false);
  });

  it('subclasses keep their class and name', () => {
    const bus = new BusError('bus.closed', 'closed');
    const life = new LifecycleError('runtime.bad_state', 'bad');
    expect(bus).toBeInstanceOf(KestrelError);
    expect(bus.name).toBe('BusError');
    expect(life).toBeInstanceOf(KestrelError);
    expect(life.name).toBe('LifecycleError');
    expect(bus).not.toBeInstanceOf(LifecycleError);
  });

  it('serialises to plain JSON without the stack', () => {
    const error = new BusError('bus.type_conflict', 'conflict', {
      issues: [{ code: 'c', path: ['a', 0], message: 'm' }],
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'BusError',
      code: 'bus.type_conflict',
      message: 'conflict',
      issues: [{ code: 'c', path: ['a', 0], message: 'm' }],
    });
  });

  it('isKestrelError tells Kestrel errors apart from others', () => {
    expect(isKestrelError(new BusError('bus.closed', 'x'))).toBe(true);
    expect(isKestrelError(new Error('x'))).toBe(false);
    expect(isKestrelError({ code: 'bus.closed', message: 'x' })).toBe(false);
    expect(isKestrelError(undefined)).toBe(false);
  });
});

describe('formatPath and formatIssues', () => {
  it('renders keys with dots and indices with brackets', () => {
    expect(formatPath(['guardrails', 'geofence', 2, 'points'])).toBe('guardrails.geofence[2].points');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath(['sensors', 1, 0])).toBe('sensors[1][0]');
  });

  it('renders the empty path as (root)', () => {
    expect(formatPath([])).toBe('(root)');
  });

  it('prints one line per issue, path first', () => {
    expect(
      formatIssues([
        { code: 'too_small', path: ['guardrails', 'geofence', 2], message: 'polygon needs at least 3 points' },
        { code: 'unrecognized_keys', path: [], message: 'unknown key "foo"' },
      ]),
    ).toBe('guardrails.geofence[2]: polygon needs at least 3 points\n(root): unknown key "foo"');
    expect(formatIssues([])).toBe('');
  });
});
