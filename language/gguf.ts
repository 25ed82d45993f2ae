/**
 * The `gguf` backend: llama.cpp through node-llama-cpp (an optional
 * dependency, imported only when a GGUF manifest is loaded).
 *
 * Output is held to the schema by a GBNF grammar written from the same
 * compiled schema as the ONNX token masks (gbnf.ts), and checked again with
 * the character automaton before it is returned. Completion API, not chat:
 * the manifest's prompt template is the whole prompt, so instruct models
 * carry their chat markup in the template.
 *
 * Real instruct models on a Jetson: a Qwen/Llama/Ministral GGUF with
 * `gpuLayers: max` offloads every layer to CUDA; `info.device` and the load
 * log line say what actually ran (cpu, cuda, vulkan, metal).
 */
import type * as NodeLlamaCppModule from 'node-llama-cpp';
import type { Llama, LlamaCompletion, LlamaContext, LlamaGrammar, LlamaModel, Token } from 'node-llama-cpp';
import type { Logger } from '../runtime/index.js';
import { LanguageGenerationError, LanguageLoadError } from './errors.js';
import { schemaToGbnf } from './gbnf.js';
import { verifyFile } from './integrity.js';
import { JsonConstraint, SchemaCache } from './json-constraint.js';
import {
  logGeneration,
  result,
  type BareGenerateRequest,
  type GenerateRequest,
  type GenerateResult,
  type LanguageModel,
  type LanguageModelInfo,
  type MsClock,
  type StopReason,
} from './language-model.js';
import { renderPrompt, type LanguageModelManifest } from './manifest.js';

type NodeLlamaCpp = typeof NodeLlamaCppModule;

export interface GgufLoadOptions {
  readonly logger: Logger;
  readonly now: MsClock;
}

let nodeLlamaCpp: Promise<NodeLlamaCpp> | undefined;

/** The node-llama-cpp module, or `language.backend_unavailable` naming the package when it is not installed. */
export async function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  nodeLlamaCpp ??= import('node-llama-cpp');
  try {
    return await nodeLlamaCpp;
  } catch (cause) {
    nodeLlamaCpp = undefined;
    throw new LanguageLoadError(
      'language.backend_unavailable',
      'the gguf backend needs the optional package node-llama-cpp (npm install node-llama-cpp)',
      {
        cause,
        issues: [{ code: 'backend_unavailable', path: ['backend'], message: 'node-llama-cpp is not installed' }],
      },
    );
  }
}

// One llama.cpp binding per GPU mode for the process: loading it costs most of a second.
const llamas = new Map<string, Promise<Llama>>();

function getLlamaFor(mod: NodeLlamaCpp, gpu: boolean, logger: Logger): Promise<Llama> {
  const key = gpu ? 'auto' : 'cpu';
  let llama = llamas.get(key);
  if (llama === undefined) {
    llama = mod.getLlama({
      gpu: gpu ? 'auto' : false,
      logLevel: mod.LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (text === '') return;
        if (level === mod.LlamaLogLevel.error || level === mod.LlamaLogLevel.fatal) logger.error({ llama: true }, text);
        else logger.debug({ llama: true }, text);
      },
      progressLogs: false,
    });
    llamas.set(key, llama);
    llama.catch(() => llamas.delete(key));
  }
  return llama;
}

class GgufLanguageModel implements LanguageModel {
  private closed = false;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly grammars = new SchemaCache<{ constraint: JsonConstraint; grammar: Promise<LlamaGrammar> }>();

  constructor(
    readonly info: LanguageModelInfo,
    private readonly manifest: LanguageModelManifest,
    private readonly mod: NodeLlamaCpp,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly completion: LlamaCompletion,
    private readonly options: GgufLoadOptions,
  ) {}

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.busy.then(run, run);
    this.busy = next.catch(() => undefined);
    return next;
  }

  private grammarFor(schema: object): { constraint: JsonConstraint; grammar: Promise<LlamaGrammar> } {
    return this.grammars.get(schema, () => {
      const constraint = JsonConstraint.compile(schema);
      return { constraint, grammar: this.llama.createGrammar({ grammar: schemaToGbnf(constraint.root) }) };
    });
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const g = this.grammarFor(request.schema);
    return this.serial(async () => this.run(request, g.constraint, await g.grammar, false));
  }

  generateBare(request: BareGenerateRequest): Promise<GenerateResult> {
    return this.serial(() => this.run(request, undefined, undefined, request.ignoreEos === true));
  }

  private async run(
    request: GenerateRequest | BareGenerateRequest,
    constraint: JsonConstraint | undefined,
    grammar: LlamaGrammar | undefined,
    ignoreEos: boolean,
  ): Promise<GenerateResult> {
    if (this.closed) throw new LanguageGenerationError('language.closed', 'generate() after close()');
    const { now } = this.options;
    const start = now();
    const prompt = renderPrompt(this.manifest.prompt, request.prompt);
    const promptTokens = this.model.tokenize(prompt).length;
    if (promptTokens >= this.info.contextSize) {
      throw new LanguageGenerationError(
        'language.prompt_too_long',
        `prompt is ${promptTokens} tokens; the context holds ${this.info.contextSize}`,
        { issues: [{ code: 'prompt_too_long', path: ['prompt'], message: `${promptTokens} tokens` }] },
      );
    }
    const maxTokens = Math.min(request.maxTokens ?? this.manifest.maxTokens, this.info.contextSize - promptTokens);
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), request.timeBudgetMs ?? this.manifest.timeBudgetMs);
    const external = request.signal;
    const onAbort = (): void => budget.abort();
    external?.addEventListener('abort', onAbort, { once: true });
    let tokens = 0;
    let firstTokenMs: number | undefined;
    let text = '';
    let stop: StopReason;
    try {
      let bias: InstanceType<NodeLlamaCpp['TokenBias']> | undefined;
      const eos = this.model.tokens.eos;
      if (ignoreEos && eos !== null) bias = new this.mod.TokenBias(this.model.tokenizer).set(eos, 'never');
      const response = await this.completion.generateCompletionWithMeta(prompt, {
        maxTokens,
        signal: budget.signal,
        stopOnAbortSignal: true,
        temperature: 0,
        ...(grammar === undefined ? {} : { grammar }),
        ...(bias === undefined ? {} : { tokenBias: bias }),
        onToken: (chunk: Token[]) => {
          firstTokenMs ??= now() - start;
          tokens += chunk.length;
        },
      });
      text = response.response;
      switch (response.metadata.stopReason) {
        case 'eogToken':
          // The grammar admits EOG only once the output is complete.
          stop = constraint === undefined ? 'eos' : 'complete';
          break;
        case 'maxTokens':
          stop = 'max_tokens';
          break;
        case 'abort':
          stop = 'timeout';
          break;
        default:
          stop = 'eos';
      }
    } catch (error) {
      if (!budget.signal.aborted) throw error;
      stop = 'timeout';
    } finally {
      clearTimeout(timer);
      external?.removeEventListener('abort', onAbort);
    }
    if (external?.aborted === true) throw new LanguageGenerationError('language.aborted', 'generation aborted');
    if (stop === 'complete' && constraint !== undefined && !constraint.accepts(text)) {
      throw new LanguageGenerationError(
        'language.output_invalid',
        `the grammar let through output the schema refuses: ${JSON.stringify(text.slice(0, 200))}`,
      );
    }
    const r = result(text, tokens, promptTokens, now() - start, firstTokenMs, stop);
    logGeneration(this.options.logger, 'gguf', constraint === undefined ? 'bare' : 'constrained', r);
    return r;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.busy;
    this.completion.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }
}

/** Loads a `gguf` manifest whose paths are absolute. */
export async function loadGguf(manifest: LanguageModelManifest, options: GgufLoadOptions): Promise<LanguageModel> {
  const mod = await importNodeLlamaCpp();
  const sha256 = await verifyFile(manifest.path, manifest.sha256);
  const cpuOnly = manifest.gpuLayers === 0;
  let llama: Llama;
  let model: LlamaModel;
  try {
    llama = await getLlamaFor(mod, !cpuOnly, options.logger);
    model = await llama.loadModel({ modelPath: manifest.path, gpuLayers: manifest.gpuLayers });
  } catch (cause) {
    throw new LanguageLoadError(
      'language.load_failed',
      `node-llama-cpp cannot load ${manifest.path}: ${String(cause)}`,
      {
        cause,
        issues: [{ code: 'load_failed', path: ['path'], message: String(cause) }],
      },
    );
  }
  let context: LlamaContext;
  try {
    context = await model.createContext({ contextSize: manifest.contextSize, threads: manifest.threads });
  } catch (cause) {
    await model.dispose();
    throw new LanguageLoadError(
      'language.load_failed',
      `node-llama-cpp cannot create a context for ${manifest.path}: ${String(cause)}`,
      {
        cause,
        issues: [{ code: 'load_failed', path: ['contextSize'], message: String(cause) }],
      },
    );
  }
  const completion = new mod.LlamaCompletion({ contextSequence: context.getSequence() });
  const gpuLayers = model.gpuLayers;
  const device = llama.gpu === false || gpuLayers === 0 ? 'cpu' : llama.gpu;
  const info: LanguageModelInfo = {
    backend: 'gguf',
    device,
    path: manifest.path,
    sha256,
    vocabSize:
      (model.fileInfo.metadata.tokenizer as { ggml?: { tokens?: readonly string[] } } | undefined)?.ggml?.tokens
        ?.length ?? 0,
    contextSize: context.contextSize,
    threads: manifest.threads,
    gpuLayers,
  };
  options.logger.info(
    { ...info, binding: llama.buildType, gpuBuild: llama.gpu },
    `language model on ${device} (${gpuLayers} layers offloaded): ${manifest.path}`,
  );
  return new GgufLanguageModel(info, manifest, mod, llama, model, context, completion, options);
}
