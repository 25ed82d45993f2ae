import { describe, expect, it } from 'vitest';
import { CommandChannel, commandAckSchema, type CommandRejection } from '../../../telemetry/index.js';
import { command, operators } from './fixtures.js';

const T0 = Date.UTC(2026, 0, 1);

function setup(): { channel: CommandChannel; ops: ReturnType<typeof operators> } {
  const ops = operators();
  return {
    channel: new CommandChannel({ robotId: 'drone-1', operators: ops.keys, maxTtlMs: 30_000, maxClockSkewMs: 2_000 }),
    ops,
  };
}

function rejected(v: ReturnType<CommandChannel['handle']>): CommandRejection {
  if (v.accepted) throw new Error(`expected a rejection, got acceptance of ${v.message.commandId}`);
  expect(commandAckSchema.parse(v.ack)).toEqual(v.ack);
  expect(v.ack.accepted).toBe(false);
  expect(v.ack.code).toBe(v.rejection.code);
  expect(v.ack.reason.length).toBeGreaterThan(0);
  return v.rejection;
}

describe('CommandChannel', () => {
  it('accepts a valid Ed25519 e-stop and a valid HMAC confirm, as OperatorMessages', () => {
    const { channel, ops } = setup();
    const estop = command(ops.alice, { command: { kind: 'estop', reason: 'person in the field' } }, T0);
    const v = channel.handle('estop', JSON.stringify(estop), T0 + 10);
    expect(v.accepted).toBe(true);
    if (!v.accepted) return;
    expect(v.message).toEqual({
      operator: 'alice',
      commandId: estop.commandId,
      command: { kind: 'estop', reason: 'person in the field' },
    });
    expect(v.ack).toMatchObject({
      accepted: true,
      code: 'command.accepted',
      commandId: estop.commandId,
      operator: 'alice',
    });

    const confirm = command(ops.bob, { command: { kind: 'confirm', proposalId: 'behavior-000123' } }, T0);
    const w = channel.handle('confirm', Buffer.from(JSON.stringify(confirm)), T0 + 10);
    expect(w.accepted && w.message.command).toEqual({ kind: 'confirm', proposalId: 'behavior-000123' });
  });

  it('accepts an action command and hands the parsed action on', () => {
    const { channel, ops } = setup();
    const c = command(ops.alice, { command: { kind: 'action', action: { kind: 'hold' } } }, T0);
    const v = channel.handle('action', JSON.stringify(c), T0);
    expect(v.accepted && v.message.command).toEqual({ kind: 'action', action: { kind: 'hold' } });
  });

  describe('rejections, each with its code', () => {
    it('malformed: not JSON, wrong shape, unknown field, oversized', () => {
      const { channel, ops } = setup();
      expect(rejected(channel.handle('estop', '{not json', T0)).code).toBe('command.malformed');
      const r = rejected(channel.handle('estop', JSON.stringify({ v: 1, robot: 'drone-1', commandId: 'x1' }), T0));
      expect(r.code).toBe('command.malformed');
      expect(r.commandId).toBe('x1');
      const extra = { ...command(ops.alice, { command: { kind: 'estop', reason: 'x' } }, T0), extra: true };
      expect(rejected(channel.handle('estop', JSON.stringify(extra), T0)).code).toBe('command.malformed');
      expect(rejected(channel.handle('estop', 'x'.repeat(17 * 1024), T0)).code).toBe('command.malformed');
    });

    it('forged: a signature by another key, a tampered body, the wrong algorithm', () => {
      const { channel, ops } = setup();
      const mallory = operators();
      const forged = command(mallory.alice, { command: { kind: 'estop_reset' } }, T0);
      expect(rejected(channel.handle('estop_reset', JSON.stringify(forged), T0)).code).toBe('command.bad_signature');
      const signed = command(ops.alice, { command: { kind: 'estop', reason: 'smoke' } }, T0);
      const tampered = { ...signed, ttlMs: 30_000 };
      expect(rejected(channel.handle('estop', JSON.stringify(tampered), T0)).code).toBe('command.bad_signature');
      const wrongAlg = { ...signed, sig: { alg: 'hmac-sha256', value: signed.sig.value } };
      expect(rejected(channel.handle('estop', JSON.stringify(wrongAlg), T0)).code).toBe('command.bad_signature');
      // bob's HMAC key used to sign as alice
      const asAlice = command(ops.bob, { operator: 'alice', command: { kind: 'confirm', proposalId: 'p' } }, T0);
      expect(rejected(channel.handle('confirm', JSON.stringify(asAlice), T0)).code).toBe('command.bad_signature');
    });

    it('replayed: the same command twice within its lifetime', () => {
      const { channel, ops } = setup();
      const c = JSON.stringify(command(ops.alice, { command: { kind: 'estop', reason: 'x' } }, T0));
      expect(channel.handle('estop', c, T0 + 100).accepted).toBe(true);
      expect(rejected(channel.handle('estop', c, T0 + 200)).code).toBe('command.replayed');
      // after its lifetime the expiry check takes over
      expect(rejected(channel.handle('estop', c, T0 + 5_001)).code).toBe('command.expired');
    });

    it('expired, from the future, or claiming too long a life (stepped clock)', () => {
      const { channel, ops } = setup();
      const c = command(ops.alice, { command: { kind: 'estop', reason: 'x' } }, T0);
      // t = T0 + 5000: last valid instant; t = T0 + 5001: expired
      expect(rejected(channel.handle('estop', JSON.stringify(c), T0 + 5_001)).code).toBe('command.expired');
      expect(channel.handle('estop', JSON.stringify(c), T0 + 5_000).accepted).toBe(true);
      const future = command(ops.alice, { issuedAtMs: T0 + 2_001, command: { kind: 'estop', reason: 'x' } }, T0);
      expect(rejected(channel.handle('estop', JSON.stringify(future), T0)).code).toBe('command.not_yet_valid');
      const long = command(ops.alice, { ttlMs: 30_001, command: { kind: 'estop', reason: 'x' } }, T0);
      expect(rejected(channel.handle('estop', JSON.stringify(long), T0)).code).toBe('command.ttl_too_long');
    });

    it('unauthorised: bob may confirm but not reset the e-stop', () => {
      const { channel, ops } = setup();
      const c = command(ops.bob, { command: { kind: 'estop_reset' } }, T0);
      const r = rejected(channel.handle('estop_reset', JSON.stringify(c), T0));
      expect(r.code).toBe('command.unauthorized');
      expect(r.operator).toBe('bob');
    });

    it('unknown operator, other robot, and a kind that does not match its topic', () => {
      const { channel, ops } = setup();
      const eve = command(ops.alice, { operator: 'eve', command: { kind: 'estop', reason: 'x' } }, T0);
      expect(rejected(channel.handle('estop', JSON.stringify(eve), T0)).code).toBe('command.unknown_operator');
      const other = command(ops.alice, { robot: 'drone-2', command: { kind: 'estop', reason: 'x' } }, T0);
      expect(rejected(channel.handle('estop', JSON.stringify(other), T0)).code).toBe('command.wrong_robot');
      const c = command(ops.alice, { command: { kind: 'estop_reset' } }, T0);
      expect(rejected(channel.handle('estop', JSON.stringify(c), T0)).code).toBe('command.kind_mismatch');
    });

    it('a forged command does not burn its id: the genuine one is still accepted', () => {
      const { channel, ops } = setup();
      const mallory = operators();
      const forged = command(mallory.alice, { commandId: 'shared-id', command: { kind: 'estop', reason: 'x' } }, T0);
      expect(rejected(channel.handle('estop', JSON.stringify(forged), T0)).code).toBe('command.bad_signature');
      const real = command(ops.alice, { commandId: 'shared-id', command: { kind: 'estop', reason: 'x' } }, T0);
      expect(channel.handle('estop', JSON.stringify(real), T0).accepted).toBe(true);
    });
  });

  it('bounds the replay cache to the commands still alive, and fails closed when full', () => {
    const ops = operators();
    const channel = new CommandChannel({ robotId: 'drone-1', operators: ops.keys, replayCacheEntries: 3 });
    for (let i = 0; i < 3; i++) {
      const c = command(ops.alice, { command: { kind: 'estop', reason: 'x' } }, T0);
      expect(channel.handle('estop', JSON.stringify(c), T0).accepted).toBe(true);
    }
    const fourth = command(ops.alice, { command: { kind: 'estop', reason: 'x' } }, T0);
    expect(rejected(channel.handle('estop', JSON.stringify(fourth), T0)).code).toBe('command.replay_cache_full');
    // Once the first three expired, their ids are pruned and new commands are taken again.
    const later = command(ops.alice, { command: { kind: 'estop', reason: 'x' } }, T0 + 6_000);
    expect(channel.handle('estop', JSON.stringify(later), T0 + 6_000).accepted).toBe(true);
    expect(channel.replayCacheSize).toBe(1);
  });
});
