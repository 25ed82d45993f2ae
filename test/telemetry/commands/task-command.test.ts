import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CommandChannel, ed25519OperatorKey, type OperatorKey } from '../../../telemetry/index.js';
import { command } from './fixtures.js';

const T0 = Date.UTC(2026, 0, 1);

/** alice may task the robot in words, confirm plans and retask. */
function setup(): {
  channel: CommandChannel;
  alice: { alg: 'ed25519'; privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'] };
} {
  const pair = generateKeyPairSync('ed25519');
  const keys = new Map<string, OperatorKey>([
    ['alice', ed25519OperatorKey('alice', pair.publicKey, ['task', 'confirm', 'retask'])],
  ]);
  return {
    channel: new CommandChannel({ robotId: 'drone-1', operators: keys, maxTtlMs: 30_000, maxClockSkewMs: 2_000 }),
    alice: { alg: 'ed25519', privateKey: pair.privateKey },
  };
}

describe('tasking over the signed command channel', () => {
  it('a signed task request reaches the runtime as words, nothing more', () => {
    const { channel, alice } = setup();
    const c = command(alice, { command: { kind: 'task', request: 'search the east sector for fires' } }, T0);
    const v = channel.handle('task', JSON.stringify(c), T0);
    expect(v.accepted && v.message.command).toEqual({ kind: 'task', request: 'search the east sector for fires' });
  });

  it('EXPECTED FAILURE - an unsigned (tampered) task request is rejected', () => {
    const { channel, alice } = setup();
    const c = command(alice, { command: { kind: 'task', request: 'search the east sector' } }, T0);
    const tampered = { ...c, command: { kind: 'task', request: 'open the water valve over the crowd' } };
    const v = channel.handle('task', JSON.stringify(tampered), T0);
    expect(v.accepted).toBe(false);
    if (!v.accepted) expect(v.rejection.code).toBe('command.bad_signature');
  });

  it('EXPECTED FAILURE - a replayed task request is rejected', () => {
    const { channel, alice } = setup();
    const c = command(alice, { command: { kind: 'task', request: 'come home' } }, T0);
    expect(channel.handle('task', JSON.stringify(c), T0).accepted).toBe(true);
    const again = channel.handle('task', JSON.stringify(c), T0 + 100);
    expect(again.accepted).toBe(false);
    if (!again.accepted) expect(again.rejection.code).toBe('command.replayed');
  });

  it('EXPECTED FAILURE - an over-long request is malformed at the channel (4000 characters at most)', () => {
    const { channel, alice } = setup();
    const c = command(alice, { command: { kind: 'task', request: 'x'.repeat(4001) } }, T0);
    const v = channel.handle('task', JSON.stringify(c), T0);
    expect(v.accepted).toBe(false);
    if (!v.accepted) expect(v.rejection.code).toBe('command.malformed');
  });

  it('a retask names only known fields; an unknown field is malformed', () => {
    const { channel, alice } = setup();
    const ok = command(alice, { command: { kind: 'retask', retask: { planId: 'p1', behavior: 'hold' } } }, T0);
    expect(channel.handle('retask', JSON.stringify(ok), T0).accepted).toBe(true);
    const bad = command(
      alice,
      { command: { kind: 'retask', retask: { planId: 'p2', behavior: 'hold', valve: 'open' } as never } },
      T0,
    );
    const v = channel.handle('retask', JSON.stringify(bad), T0);
    expect(v.accepted).toBe(false);
    if (!v.accepted) expect(v.rejection.code).toBe('command.malformed');
  });
});
