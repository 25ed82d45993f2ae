import { z } from 'zod';

/**
 * Which models a mission may run: with `requireSigned`, every model the
 * mission loads must come from a manifest file with an Ed25519 signature
 * (`<manifest>.sig`, written by `kestrel model sign` or `kestrel model
 * promote`) by one of `trustedSigners`, over the manifest's bytes and the
 * model file's SHA-256. See fieldloop/trust/.
 */
export const trustedSignerSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_.:-]')
    .describe('Key id the signature names (`kestrel model sign --key-id`, default `ed25519:<fingerprint>`).'),
  publicKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a raw 32-byte Ed25519 public key in base64 (44 characters)')
    .describe('Ed25519 public key of the signer, raw 32 bytes in base64. Public, so it may live in the file.'),
});

export const modelTrustSchema = z
  .strictObject({
    requireSigned: z
      .boolean()
      .default(true)
      .describe(
        'Refuse to load a model whose manifest is unsigned, signed by a key not in trustedSigners, or whose manifest or model file changed since signing. Default true.',
      ),
    trustedSigners: z
      .array(trustedSignerSchema)
      .default([])
      .describe('Keys whose signatures this mission accepts. Empty with requireSigned: every model is refused.'),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.trustedSigners.forEach((s, i) => {
      if (seen.has(s.id)) {
        ctx.addIssue({ code: 'custom', path: ['trustedSigners', i, 'id'], message: `duplicate signer id "${s.id}"` });
      }
      seen.add(s.id);
    });
  })
  .describe('Model trust: which signed models this mission may load.');

export type ModelTrust = z.infer<typeof modelTrustSchema>;
export type TrustedSigner = z.infer<typeof trustedSignerSchema>;
