/**
 * A language model served by a host process (host.ts): the same
 * `LanguageModel` interface, with the model's native code outside the
 * runtime's process.
 *
 * What the runtime gets from the process boundary:
 * - a native abort or segfault in the model (llama.cpp aborts on CUDA
 *   errors) fails the request in flight with `language.crashed`, naming the
 *   signal and the host's last error line; the runtime, its guard and its
 *   current plan keep running;
 * - a host that stops answering (a native hang) is killed once a request has
 *   waited its time budget twice over plus `hangGraceMs`;
 * - the host is restarted in the background after a crash, with a doubling
 *   delay, and left down after `maxRestarts` crashes in a row (a model that
 *   crashes at every load would otherwise spin a GPU box forever).
 *
 * Requests go to the host one at a time (the backends run one at a time
 * anyway), so each request's watchdog measures that request alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../runtime/index.js';
import { LanguageGenerationError, LanguageLoadError } from './errors.js';
import {
  errorFromWire,
  fromHostSchema,
  HOST_LOG_LEVELS,
  manifestToWire,
  type FromHost,
  type HostLogLevel,
  type ToHost,
} from './host-protocol.js';
import type {
  BareGenerateRequest,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  LanguageModelInfo,
} from './language-model.js';
import type { LanguageModelManifest } from './manifest.js';

export interface IsolationOptions {
  readonly logger: Logger;
  /** Extra wait past twice a request's time budget before a silent host is killed. Default 5000 ms. */
  readonly hangGraceMs?: number;
  /** Crashes in a row (no answer in between) after which the host is left down. Default 3. */
  readonly maxRestarts?: number;
  /** Delay before the first restart; doubled for each further crash in a row. Default 500 ms. */
  readonly restartDelayMs?: number;
}

interface Pending {
  readonly resolve: (r: GenerateResult) => void;
  readonly reject: (e: Error) => void;
  readonly what: string;
}

/** Where the host's entry is: host.js beside this file, or host.ts through tsx when running from source. */
function hostEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return { path: join(dirname(here), 'host.ts'), execArgv: ['--import', pathToFileURL(tsx).href] };
  }
  return { path: join(dirname(here), 'host.js'), execArgv: [] };
}

const TAIL_BYTES = 8192;
/** A native backtrace frame (`lib.so(sym+0x1c)[0x7f..]`) or a JS stack line: where, not why. */
const BACKTRACE = /(\[0x[0-9a-f]+\]$)|(^at )/;

/** One running host process and what it said. */
class Host {
  readonly child: ChildProcess;
  readonly pending = new Map<number, Pending>();
  info: LanguageModelInfo | undefined;
  /** The last lines of the host's stdout and stderr (llama.cpp writes its abort reason there). */
  private tail = '';
  /** What the parent itself saw go wrong (a hang, an unreadable message); preferred over the host's lines. */
  lastError: string | undefined;
  /** The last error-level lines the host's logger sent (llama.cpp's log callback reports CUDA errors there). */
  readonly errorLines: string[] = [];
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(onMessage: (host: Host, message: FromHost) => void, onExit: (host: Host) => void) {
    const entry = hostEntry();
    this.child = fork(entry.path, [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString()).slice(-TAIL_BYTES);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (raw: unknown) => {
      const parsed = fromHostSchema.safeParse(raw);
      if (!parsed.success) {
        this.lastError = `unreadable message from the host: ${parsed.error.message}`;
        this.child.kill('SIGKILL');
        return;
      }
      onMessage(this, parsed.data);
    });
    this.child.on('error', (error) => {
      this.lastError = error.message;
    });
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      onExit(this);
    });
  }

  send(message: ToHost): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Holds the parent's event loop open only while something waits on the host. */
  hold(busy: boolean): void {
    // The IPC channel and the stdout/stderr pipes are handles of their own beside the process.
    const handles: ({ ref(): unknown; unref(): unknown } | null | undefined)[] = [this.child, this.child.channel];
    for (const pipe of [this.child.stdout, this.child.stderr]) if (pipe instanceof Socket) handles.push(pipe);
    for (const h of handles) {
      if (busy) h?.ref();
      else h?.unref();
    }
  }

  /** "died (signal SIGABRT): CUDA error: ..." */
  describeExit(): string {
    const how =
      this.exit === undefined
        ? 'stopped answering'
        : this.exit.signal !== null
          ? `died (signal ${this.exit.signal})`
          : `exited with code ${String(this.exit.code)}`;
    const reason = this.reason();
    return reason === undefined ? how : `${how}: ${reason}`;
  }

  reason(): string | undefined {
    return this.lastError ?? crashReason(this.errorLines, this.tail);
  }

  noteError(line: string): void {
    this.errorLines.push(line);
    if (this.errorLines.length > 8) this.errorLines.shift();
  }

  tailText(): string {
    return this.tail;
  }
}

/**
 * The line that says why a host died: of its last error-level log lines, the
 * last one that names an error (llama.cpp logs `CUDA error: <what>` and then
 * where and which call, and the call is not the reason); else the last such
 * line of its stdout/stderr that is not a backtrace frame.
 */
export function crashReason(errorLines: readonly string[], tail: string): string | undefined {
  const naming = /error|fail|abort|assert|out of memory/i;
  const fromLog = errorLines.findLast((l) => naming.test(l)) ?? errorLines.at(-1);
  if (fromLog !== undefined) return fromLog;
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !BACKTRACE.test(l));
  return lines.findLast((l) => naming.test(l)) ?? lines.at(-1);
}

function relog(logger: Logger, line: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    logger.warn({ line }, 'language host wrote a line that is not JSON');
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { level, msg, time: _time, ...fields } = value as Record<string, unknown>;
  const text = typeof msg === 'string' ? msg : '';
  const n = typeof level === 'number' ? level : 30;
  if (n >= 50) logger.error(fields, text);
  else if (n >= 40) logger.warn(fields, text);
  else if (n >= 30) logger.info(fields, text);
  else if (n >= 20) logger.debug(fields, text);
  else logger.trace(fields, text);
  return n >= 50 ? text : undefined;
}

export class IsolatedLanguageModel implements LanguageModel {
  private host: Host | undefined;
  private ready: Promise<Host>;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private crashes = 0;
  private closed = false;
  private down: Error | undefined;
  private lastInfo: LanguageModelInfo | undefined;
  private readonly logger: Logger;
  private readonly hangGraceMs: number;
  private readonly maxRestarts: number;
  private readonly restartDelayMs: number;

  private constructor(
    private readonly manifest: LanguageModelManifest,
    options: IsolationOptions,
  ) {
    this.logger = options.logger.child({ component: 'language-host' });
    this.hangGraceMs = options.hangGraceMs ?? 5000;
    this.maxRestarts = options.maxRestarts ?? 3;
    this.restartDelayMs = options.restartDelayMs ?? 500;
    this.ready = this.spawn();
  }

  /** Starts the host and loads the model there; a load failure rejects with the host's own error. */
  static async load(manifest: LanguageModelManifest, options: IsolationOptions): Promise<IsolatedLanguageModel> {
    const model = new IsolatedLanguageModel(manifest, options);
    try {
      await model.ready;
    } catch (error) {
      model.closed = true;
      model.host?.child.kill('SIGKILL');
      throw error;
    }
    return model;
  }

  get info(): LanguageModelInfo {
    if (this.lastInfo === undefined) throw new LanguageGenerationError('language.closed', 'the model never loaded');
    return this.lastInfo;
  }

  /** The host's process id (for operators and tests); undefined while it restarts. */
  get pid(): number | undefined {
    return this.host?.exit === undefined ? this.host?.child.pid : undefined;
  }

  /** Resolves once a host has the model loaded (after a restart: the new one); rejects if it is left down. */
  async whenReady(): Promise<LanguageModelInfo> {
    const down = this.fault();
    if (down !== undefined) throw down;
    const host = await this.ready;
    if (host.info === undefined || host.exit !== undefined) {
      throw new LanguageGenerationError('language.crashed', `the language model's process ${host.describeExit()}`);
    }
    return host.info;
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    const { signal, ...rest } = request;
    const wire = { ...rest, schema: rest.schema as Record<string, unknown> };
    return this.serial(() => this.ask({ type: 'generate', id: ++this.seq, request: wire }, signal));
  }

  generateBare(request: BareGenerateRequest): Promise<GenerateResult> {
    const { signal, ...rest } = request;
    return this.serial(() => this.ask({ type: 'bare', id: ++this.seq, request: rest }, signal));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const host = this.host;
    if (host === undefined || host.exit !== undefined) return;
    host.hold(true);
    const exited = new Promise<void>((resolve) => host.child.once('exit', () => resolve()));
    host.send({ type: 'close' });
    const timer = setTimeout(() => host.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Set when the host was left down (read through a call: it changes while a request waits). */
  private fault(): Error | undefined {
    return this.down;
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private spawn(): Promise<Host> {
    return new Promise<Host>((resolve, reject) => {
      const host = new Host(
        (h, message) => {
          switch (message.type) {
            case 'ready':
              h.info = message.info;
              this.lastInfo = message.info;
              this.logger.info(
                { pid: h.child.pid, device: message.info.device, loadMs: Math.round(message.loadMs) },
                `language model host ready (pid ${String(h.child.pid)}, ${message.info.device})`,
              );
              h.hold(h.pending.size > 0);
              resolve(h);
              return;
            case 'load_failed':
              h.noteError(message.error.message);
              reject(errorFromWire(message.error));
              h.child.kill('SIGKILL');
              return;
            case 'log': {
              const error = relog(this.logger, message.line);
              if (error !== undefined) h.noteError(error);
              return;
            }
            case 'result':
            case 'error': {
              const pending = h.pending.get(message.id);
              if (pending === undefined) return;
              h.pending.delete(message.id);
              h.hold(h.pending.size > 0);
              if (message.type === 'result') {
                this.crashes = 0;
                pending.resolve(message.result);
              } else pending.reject(errorFromWire(message.error));
              return;
            }
          }
        },
        (h) => {
          if (h.info === undefined) {
            reject(
              new LanguageLoadError(
                'language.load_failed',
                `the language model's process ${h.describeExit()} while loading ${this.manifest.path}`,
                { issues: [{ code: 'load_failed', path: ['path'], message: h.describeExit() }] },
              ),
            );
          }
          this.onExit(h);
        },
      );
      this.host = host;
      host.hold(true);
      host.send({ type: 'load', manifest: manifestToWire(this.manifest), logLevel: this.logLevel() });
    });
  }

  private logLevel(): HostLogLevel {
    const level = this.logger.level;
    return HOST_LOG_LEVELS.find((l) => l === level) ?? 'info';
  }

  private onExit(host: Host): void {
    const why = host.describeExit();
    for (const [, pending] of host.pending) {
      pending.reject(
        new LanguageGenerationError(
          'language.crashed',
          `the language model's process ${why} during ${pending.what}; the request was not answered`,
          { issues: [{ code: 'crashed', path: [], message: why }] },
        ),
      );
    }
    host.pending.clear();
    // A first load that fails is the caller's error (load() rejects); a restart that dies loading is a crash.
    if (this.closed || this.lastInfo === undefined) return;
    this.crashes += 1;
    this.logger.error(
      { pid: host.child.pid, exit: host.exit, crashes: this.crashes, tail: host.tailText().slice(-2000) },
      `language model host ${why}`,
    );
    if (this.crashes > this.maxRestarts) {
      this.down = new LanguageGenerationError(
        'language.crashed',
        `the language model's process crashed ${this.crashes} times in a row (last: ${why}); it is not restarted`,
        { issues: [{ code: 'crashed', path: [], message: why }] },
      );
      this.logger.error({ crashes: this.crashes }, 'language model host left down: too many crashes in a row');
      return;
    }
    const delay = this.restartDelayMs * 2 ** (this.crashes - 1);
    this.ready = new Promise<Host>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.closed) {
          reject(new LanguageGenerationError('language.closed', 'the language model is closed'));
          return;
        }
        this.spawn().then(resolve, (error: unknown) => {
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      }, delay);
      timer.unref();
    });
    // A restart that fails to load counts as another crash (handled by onExit of that host).
    this.ready.catch(() => undefined);
  }

  private async ask(
    message: Extract<ToHost, { type: 'generate' | 'bare' }>,
    signal: AbortSignal | undefined,
  ): Promise<GenerateResult> {
    if (this.closed) throw new LanguageGenerationError('language.closed', 'the language model is closed');
    if (this.down !== undefined) throw this.down;
    if (signal?.aborted === true) throw new LanguageGenerationError('language.aborted', 'aborted before it started');
    let host: Host;
    try {
      host = await this.ready;
    } catch (error) {
      const down = this.fault();
      if (down !== undefined) throw down;
      throw new LanguageGenerationError(
        'language.crashed',
        `the language model's process is restarting and failed to load: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (host.exit !== undefined) {
      throw new LanguageGenerationError(
        'language.crashed',
        `the language model's process ${host.describeExit()}; it restarts in the background`,
      );
    }
    const budget = message.request.timeBudgetMs ?? this.manifest.timeBudgetMs;
    const hangMs = budget * 2 + this.hangGraceMs;
    return new Promise<GenerateResult>((resolve, reject) => {
      const onAbort = (): void => host.send({ type: 'abort', id: message.id });
      const watchdog = setTimeout(() => {
        host.lastError ??= `no answer within ${hangMs} ms`;
        this.logger.error({ pid: host.child.pid, hangMs }, 'language model host stopped answering; killing it');
        host.child.kill('SIGKILL');
      }, hangMs);
      const finish = (): void => {
        clearTimeout(watchdog);
        signal?.removeEventListener('abort', onAbort);
      };
      host.pending.set(message.id, {
        what: message.type === 'generate' ? 'generate' : 'bare generation',
        resolve: (r) => {
          finish();
          resolve(r);
        },
        reject: (e) => {
          finish();
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      host.hold(true);
      host.send(message);
    });
  }
}
