import type { KestrelPlugin } from '../runtime/index.js';
import { CaptureComponent } from './capture/capture-component.js';
import { ModelTrustComponent } from './trust/trust-component.js';

/**
 * The field data loop in a runtime: the model-trust check for a mission with
 * `modelTrust`, the capture component for a mission with `capture`; nothing
 * for the others.
 */
export const fieldloopPlugin: KestrelPlugin = {
  name: 'kestrel-fieldloop',
  components: (ctx) => {
    const { modelTrust, capture } = ctx.mission;
    return [
      ...(modelTrust === undefined ? [] : [new ModelTrustComponent(modelTrust)]),
      ...(capture === undefined ? [] : [new CaptureComponent(ctx.mission, capture, ctx.baseDir)]),
    ];
  },
};
