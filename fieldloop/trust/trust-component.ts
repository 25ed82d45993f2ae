import type { ModelTrust } from '../../missions/index.js';
import { MODEL_TRUST_COMPONENT, modelVerifierService } from '../../perception/index.js';
import type { Component, ComponentContext } from '../../runtime/index.js';
import { modelTrustVerifier } from './manifest-signing.js';

/**
 * Provides the model check to perception for a mission with `modelTrust`.
 * Perception pipelines depend on this component, so it configures first and
 * no model of such a mission loads without the check.
 */
export class ModelTrustComponent implements Component {
  readonly name = MODEL_TRUST_COMPONENT;

  constructor(private readonly trust: ModelTrust) {}

  configure(ctx: ComponentContext): void {
    const verify = modelTrustVerifier(this.trust, ctx.logger);
    ctx.services.provide(modelVerifierService, async (model) => {
      await verify(model);
    });
    if (this.trust.requireSigned && this.trust.trustedSigners.length === 0) {
      ctx.logger.warn('modelTrust requires signed models but lists no trusted signer: every model will be refused');
    }
  }

  start(): void {}

  stop(): void {}
}
