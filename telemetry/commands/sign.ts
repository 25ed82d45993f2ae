import { createHmac, sign, type KeyObject } from 'node:crypto';
import { signingBytes } from './canonical.js';
import type { SignedCommand, WireOperatorCommand } from './wire.js';

/** A command before signing, as a ground station builds it. */
export interface UnsignedCommand {
  readonly v: 1;
  readonly robot: string;
  readonly operator: string;
  readonly commandId: string;
  readonly issuedAtMs: number;
  readonly ttlMs: number;
  readonly command: WireOperatorCommand;
}

export type SigningKey =
  | { readonly alg: 'ed25519'; readonly privateKey: KeyObject }
  | { readonly alg: 'hmac-sha256'; readonly secret: Buffer };

/**
 * Signs a command for the robot's command channel (for ground stations,
 * tools and tests).
 *
 * @example
 * const { privateKey } = generateKeyPairSync('ed25519');
 * const cmd = signCommand({ v: 1, robot: 'drone-1', operator: 'alice', commandId: 'c-1',
 *   issuedAtMs: Date.now(), ttlMs: 5_000, command: { kind: 'estop', reason: 'person in the field' } },
 *   { alg: 'ed25519', privateKey });
 * client.publish('kestrel/drone-1/cmd/estop', JSON.stringify(cmd), { qos: 1 });
 */
export function signCommand(body: UnsignedCommand, key: SigningKey): SignedCommand {
  const bytes = signingBytes(body as unknown as Record<string, unknown>);
  const value =
    key.alg === 'ed25519'
      ? sign(null, bytes, key.privateKey).toString('base64')
      : createHmac('sha256', key.secret).update(bytes).digest('base64');
  return { ...body, sig: { alg: key.alg, value } } as SignedCommand;
}
