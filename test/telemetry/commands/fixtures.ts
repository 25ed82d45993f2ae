import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  ed25519OperatorKey,
  hmacOperatorKey,
  signCommand,
  type OperatorKey,
  type SignedCommand,
  type SigningKey,
  type UnsignedCommand,
  type WireOperatorCommand,
} from '../../../telemetry/index.js';

/** alice (Ed25519) may do everything; bob (HMAC) may only confirm. */
export function operators(): {
  keys: Map<string, OperatorKey>;
  alice: SigningKey;
  bob: SigningKey;
  alicePublicRaw: string;
  bobSecret: Buffer;
} {
  const pair = generateKeyPairSync('ed25519');
  const bobSecret = randomBytes(32);
  const keys = new Map<string, OperatorKey>([
    ['alice', ed25519OperatorKey('alice', pair.publicKey, ['estop', 'estop_reset', 'confirm', 'action'])],
    ['bob', hmacOperatorKey('bob', bobSecret, ['confirm'])],
  ]);
  // Raw 32-byte public key: the last 32 bytes of its SPKI DER.
  const alicePublicRaw = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  return {
    keys,
    alice: { alg: 'ed25519', privateKey: pair.privateKey },
    bob: { alg: 'hmac-sha256', secret: bobSecret },
    alicePublicRaw,
    bobSecret,
  };
}

let counter = 0;

export function command(
  key: SigningKey,
  fields: Partial<Omit<UnsignedCommand, 'command'>> & { command: WireOperatorCommand },
  nowMs: number,
): SignedCommand {
  const body: UnsignedCommand = {
    v: 1,
    robot: 'drone-1',
    operator: key.alg === 'ed25519' ? 'alice' : 'bob',
    commandId: `c-${++counter}`,
    issuedAtMs: nowMs,
    ttlMs: 5_000,
    ...fields,
  };
  return signCommand(body, key);
}
