import type { KestrelPlugin } from '../runtime/index.js';
import { PerceptionPipeline } from './pipeline-component.js';

/** Perception pipelines: one component per `perception.pipelines[]` entry. */
export const perceptionPlugin: KestrelPlugin = {
  name: 'kestrel-perception',
  pipeline: (pipeline, ctx) => new PerceptionPipeline(pipeline, ctx.mission, ctx.baseDir),
};
