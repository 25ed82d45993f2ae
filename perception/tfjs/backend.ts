/**
 * The `tfjs` backend: TF.js graph models (converter output) and layers models
 * (Keras-style), from a model.json and its weight shards on local disk. The
 * output tensors go to the same decoders as ONNX outputs.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { Backend, ModelRunner, OutputTensor, ProviderFallback, TensorInfo } from '../backend.js';
import { ModelLoadError } from '../errors.js';
import type { ModelManifest } from '../manifest.js';
import {
  bytesIOHandler,
  parseTfjsModelJson,
  tfjsModelKind,
  tfjsShardPaths,
  type TfjsModelJson,
  type TfjsModelKind,
} from './artifacts.js';
import { tfRuntime, type Tf, type TfRuntime } from './runtime.js';

type GraphModel = Awaited<ReturnType<Tf['loadGraphModel']>>;

/** A dynamic dimension (-1 or null in TF.js shapes) as ONNX-style symbolic text. */
function dims(shape: readonly (number | null)[] | undefined): (number | string)[] {
  return (shape ?? []).map((d, i) => (d === null || d < 0 ? `d${i}` : d));
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).trim().slice(0, 300);
}

/** String-valued `userDefinedMetadata` (Ultralytics-style `names` included), the rest as JSON. */
function metadataOf(json: TfjsModelJson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json.userDefinedMetadata ?? {})) {
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

class TfjsRunner implements ModelRunner {
  readonly backend = 'tfjs';
  // predict/execute dispatch every op synchronously (tfjs-node and wasm alike): the event loop
  // waits for the whole graph, so the detector does not ask for the next frame early.
  readonly blocksEventLoop = true;
  readonly activeProvider: string;
  readonly fallbacks: readonly ProviderFallback[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Graph models with control flow must run through executeAsync; found out on the first run. */
  private useAsync = false;

  constructor(
    private readonly tf: Tf,
    runtime: TfRuntime,
    private readonly model: { kind: 'graph'; graph: GraphModel } | { kind: 'layers'; layers: LayersModel },
    readonly metadata: Readonly<Record<string, string>>,
  ) {
    this.activeProvider = runtime.provider;
    this.fallbacks = runtime.fallbacks;
    if (model.kind === 'graph') {
      this.inputs = model.graph.inputs.map((t) => ({ name: t.name, shape: dims(t.shape), type: t.dtype }));
      this.outputs = model.graph.outputs.map((t) => ({ name: t.name, shape: dims(t.shape), type: t.dtype }));
    } else {
      const m = model.layers;
      this.inputs = m.inputs.map((t, i) => ({ name: m.inputNames[i] ?? t.name, shape: dims(t.shape), type: t.dtype }));
      this.outputs = m.outputs.map((t, i) => ({
        name: m.outputNames[i] ?? t.name,
        shape: dims(t.shape),
        type: t.dtype,
      }));
    }
  }

  async run(
    inputName: string,
    data: Float32Array,
    shape: readonly number[],
  ): Promise<ReadonlyMap<string, OutputTensor>> {
    // tf.tensor copies `data` into the backend here, so the caller may refill it once this returns.
    const input = this.tf.tensor(data, [...shape], 'float32');
    let results: Tensor[] = [];
    try {
      results = await this.execute(inputName, input);
      const out = new Map<string, OutputTensor>();
      for (let i = 0; i < results.length; i++) {
        const t = results[i];
        const name = this.outputs[i]?.name;
        if (t === undefined || name === undefined) continue;
        const values = await t.data();
        out.set(name, {
          data: values instanceof Float32Array ? values : Float32Array.from(values, Number),
          dims: t.shape,
        });
      }
      return out;
    } finally {
      this.tf.dispose([input, ...results]);
    }
  }

  private async execute(inputName: string, input: Tensor): Promise<Tensor[]> {
    const list = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);
    if (this.model.kind === 'layers') {
      const m = this.model.layers;
      if (m.inputNames.length !== 1 || m.inputNames[0] !== inputName) {
        throw new ModelLoadError(
          'model.io_mismatch',
          `layers model inputs [${m.inputNames.join(', ')}]: Kestrel feeds one, ${inputName}`,
        );
      }
      return list(m.predict(input));
    }
    const g = this.model.graph;
    const names = this.outputs.map((o) => o.name);
    if (!this.useAsync) {
      try {
        return list(g.execute({ [inputName]: input }, names));
      } catch (error) {
        // Models with dynamic ops (control flow, NMS inside) refuse the synchronous path.
        if (!/executeAsync/.test(firstLine(error))) throw error;
        this.useAsync = true;
      }
    }
    return list(await g.executeAsync({ [inputName]: input }, names));
  }

  dispose(): Promise<void> {
    if (this.model.kind === 'graph') this.model.graph.dispose();
    else this.model.layers.dispose();
    return Promise.resolve();
  }
}

async function loadModel(
  tf: Tf,
  kind: TfjsModelKind,
  json: TfjsModelJson,
  shards: readonly Uint8Array[],
): Promise<{ kind: 'graph'; graph: GraphModel } | { kind: 'layers'; layers: LayersModel }> {
  const handler = bytesIOHandler(json, shards);
  if (kind === 'graph') return { kind, graph: await tf.loadGraphModel(handler) };
  return { kind, layers: await tf.loadLayersModel(handler) };
}

/** The built-in `tfjs` backend. */
export const tfjsBackend: Backend = {
  name: 'tfjs',
  companionFiles(modelBytes, modelPath) {
    return tfjsShardPaths(parseTfjsModelJson(modelBytes, modelPath), modelPath);
  },
  async load(bytes: Uint8Array, manifest: ModelManifest, ctx): Promise<ModelRunner> {
    const json = parseTfjsModelJson(bytes, ctx.modelPath);
    const shards = tfjsShardPaths(json, ctx.modelPath).map((p) => {
      const b = ctx.companions?.get(p);
      if (b === undefined)
        throw new ModelLoadError('model.load_failed', `weight file ${p} was not read before loading`);
      return b;
    });
    const runtime = await tfRuntime(manifest.executionProviders);
    const why = runtime.fallbacks.map((f) => f.reason).join('; ');
    ctx.logger.info(
      { model: ctx.modelPath, backend: 'tfjs', provider: runtime.provider, fallbacks: runtime.fallbacks },
      `TF.js runs on ${runtime.provider}${why === '' ? '' : ` (${why})`}`,
    );
    const kind = tfjsModelKind(json);
    let model: Awaited<ReturnType<typeof loadModel>>;
    try {
      model = await loadModel(runtime.tf, kind, json, shards);
    } catch (cause) {
      throw new ModelLoadError(
        'model.load_failed',
        `TF.js cannot load ${kind} model ${ctx.modelPath}: ${firstLine(cause)}`,
        {
          cause,
          issues: [{ code: 'load_failed', path: ['path'], message: firstLine(cause) }],
        },
      );
    }
    return new TfjsRunner(runtime.tf, runtime, model, metadataOf(json));
  },
};
