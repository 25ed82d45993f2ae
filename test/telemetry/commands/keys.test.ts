import { describe, expect, it } from 'vitest';
import { TelemetryError, canonicalJson, operatorKeysFromConfig } from '../../../telemetry/index.js';
import { operators } from './fixtures.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true } })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1}');
  });
  it('BAD CALL - NaN has no canonical form', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(RangeError);
  });
});

describe('operatorKeysFromConfig', () => {
  it('builds Ed25519 keys from the mission and HMAC keys from the named env var', () => {
    const ops = operators();
    const keys = operatorKeysFromConfig(
      [
        { id: 'alice', ed25519PublicKey: ops.alicePublicRaw, allow: ['estop'] },
        { id: 'bob', hmacKeyEnv: 'BOB_KEY', allow: ['confirm'] },
      ],
      { BOB_KEY: ops.bobSecret.toString('base64') },
    );
    expect(keys.get('alice')?.alg).toBe('ed25519');
    expect([...(keys.get('bob')?.allow ?? [])]).toEqual(['confirm']);
  });

  it('EXPECTED FAILURE - a missing or short HMAC secret is telemetry.config, naming the variable', () => {
    const run = (env: Record<string, string>): TelemetryError => {
      try {
        operatorKeysFromConfig([{ id: 'bob', hmacKeyEnv: 'BOB_KEY', allow: ['confirm'] }], env);
      } catch (error) {
        return error as TelemetryError;
      }
      throw new Error('expected a failure');
    };
    const missing = run({});
    expect(missing).toBeInstanceOf(TelemetryError);
    expect(missing.code).toBe('telemetry.config');
    expect(missing.message).toContain('BOB_KEY');
    expect(run({ BOB_KEY: Buffer.alloc(8).toString('base64') }).code).toBe('telemetry.config');
  });
});
