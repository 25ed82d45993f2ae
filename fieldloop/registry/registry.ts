/**
 * The model registry: a folder a mission points at (`manifest:
 * registry/current.yaml`), holding every promoted model and its signed
 * manifest, with the promotion history as an append-only log.
 *
 * ```
 * registry/
 *   models/<sha256>.onnx                   content-addressed model files
 *   promoted-0001-<sha12>.yaml (+ .sig)    each promoted manifest, signed
 *   current.yaml (+ .sig)                  byte copy of the entry in force
 *   history.jsonl                          one line per promote / rollback
 * ```
 *
 * The entry in force is the top of a stack replayed from the history:
 * `promote` pushes, `rollback` pops. Entries and model files are never
 * deleted, so a rollback always finds what it returns to. `current.yaml` is
 * a copy of the entry (same folder, same bytes), so the entry's signature is
 * its signature too.
 */
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, readFile, rename } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { resolveManifest, sha256File } from '../../perception/index.js';
import { RegistryError } from '../errors.js';
import type { ModelSigningKey } from '../trust/keys.js';
import { signManifestFile, signaturePath, writeFileAtomic } from '../trust/manifest-signing.js';

export const CURRENT_MANIFEST = 'current.yaml';
const HISTORY = 'history.jsonl';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const historyLineSchema = z.discriminatedUnion('action', [
  z.strictObject({
    v: z.literal(1),
    action: z.literal('promote'),
    entry: z.string().min(1),
    modelSha256: hex64,
    keyId: z.string(),
    atMs: z.number(),
    source: z.string(),
    metric: z.string().optional(),
    candidate: z.number().nullable().optional(),
    current: z.number().nullable().optional(),
  }),
  z.strictObject({
    v: z.literal(1),
    action: z.literal('rollback'),
    from: z.string().min(1),
    to: z.string().min(1),
    atMs: z.number(),
  }),
]);

export type HistoryLine = z.infer<typeof historyLineSchema>;
export type PromoteLine = Extract<HistoryLine, { action: 'promote' }>;

export interface RegistryEntry {
  /** File name of the entry's manifest in the registry folder. */
  readonly entry: string;
  readonly manifestPath: string;
  readonly modelSha256: string;
  readonly keyId: string;
  readonly promotedAtMs: number;
}

export interface PromotionRecord {
  readonly metric?: string;
  readonly candidate?: number | null;
  readonly current?: number | null;
}

export class ModelRegistry {
  private constructor(
    readonly dir: string,
    private readonly history: HistoryLine[],
  ) {}

  /** Opens (and creates) a registry folder. */
  static async open(dir: string): Promise<ModelRegistry> {
    const root = resolve(dir);
    await mkdir(join(root, 'models'), { recursive: true });
    let text = '';
    try {
      text = await readFile(join(root, HISTORY), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new RegistryError('registry.invalid', `cannot read ${join(root, HISTORY)}`, { cause: e });
      }
    }
    const history: HistoryLine[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (cause) {
        throw new RegistryError('registry.invalid', `${join(root, HISTORY)}:${i + 1} is not JSON`, { cause });
      }
      const parsed = historyLineSchema.safeParse(raw);
      if (!parsed.success) {
        throw new RegistryError('registry.invalid', `${join(root, HISTORY)}:${i + 1} is not a registry history line`);
      }
      history.push(parsed.data);
    });
    return new ModelRegistry(root, history);
  }

  /** The promoted entries still stacked, oldest first; the last is in force. */
  stack(): PromoteLine[] {
    const stack: PromoteLine[] = [];
    for (const h of this.history) {
      if (h.action === 'promote') stack.push(h);
      else stack.pop();
    }
    return stack;
  }

  get currentManifestPath(): string {
    return join(this.dir, CURRENT_MANIFEST);
  }

  current(): RegistryEntry | undefined {
    const top = this.stack().at(-1);
    return top === undefined ? undefined : this.toEntry(top);
  }

  /** Every history line, oldest first. */
  log(): readonly HistoryLine[] {
    return this.history;
  }

  /**
   * Copies the candidate's model in, writes its manifest (pointing at the copy,
   * sha256 pinned) as a new signed entry, appends the history and makes it current.
   */
  async promote(
    candidateManifest: string,
    key: ModelSigningKey,
    atMs: number,
    record: PromotionRecord = {},
  ): Promise<RegistryEntry> {
    const resolved = await resolveManifest(resolve(candidateManifest));
    if (resolved.manifest.backend !== 'onnx') {
      throw new RegistryError(
        'registry.invalid',
        `the registry holds single-file ONNX models; ${candidateManifest} uses backend ${resolved.manifest.backend}`,
      );
    }
    const modelSha256 = await sha256File(resolved.modelPath);
    const modelName = `${modelSha256}${extname(resolved.modelPath) || '.onnx'}`;
    const modelCopy = join(this.dir, 'models', modelName);
    if (!existsSync(modelCopy)) {
      await copyFile(resolved.modelPath, `${modelCopy}.tmp`);
      await rename(`${modelCopy}.tmp`, modelCopy);
    }
    // The candidate's own manifest, as written (defaults left out), pointing at the registry's copy.
    const doc: Record<string, unknown> =
      resolved.manifestPath === undefined
        ? {}
        : (parseYaml(await readFile(resolved.manifestPath, 'utf8')) as Record<string, unknown>);
    doc.path = `models/${modelName}`;
    doc.sha256 = modelSha256;
    const seq = this.history.filter((h) => h.action === 'promote').length + 1;
    const entry = `promoted-${String(seq).padStart(4, '0')}-${modelSha256.slice(0, 12)}.yaml`;
    const entryPath = join(this.dir, entry);
    await writeFileAtomic(
      entryPath,
      `# Promoted ${new Date(atMs).toISOString()} from ${basename(resolved.manifestPath ?? resolved.modelPath)}\n${stringifyYaml(doc)}`,
    );
    const signed = await signManifestFile(entryPath, key, atMs);
    const line: PromoteLine = {
      v: 1,
      action: 'promote',
      entry,
      modelSha256,
      keyId: signed.envelope.payload.keyId,
      atMs,
      source: resolved.manifestPath ?? resolved.modelPath,
      ...(record.metric === undefined ? {} : { metric: record.metric }),
      ...(record.candidate === undefined ? {} : { candidate: record.candidate }),
      ...(record.current === undefined ? {} : { current: record.current }),
    };
    await this.append(line);
    await this.install(entry);
    return this.toEntry(line);
  }

  /** Returns to the entry promoted before the one in force. */
  async rollback(atMs: number): Promise<{ from: RegistryEntry; to: RegistryEntry }> {
    const stack = this.stack();
    const from = stack.at(-1);
    const to = stack.at(-2);
    if (from === undefined) throw new RegistryError('registry.empty', `nothing has been promoted in ${this.dir}`);
    if (to === undefined) {
      throw new RegistryError(
        'registry.no_previous',
        `${from.entry} is the only promoted model in ${this.dir}: there is nothing to roll back to`,
      );
    }
    await this.append({ v: 1, action: 'rollback', from: from.entry, to: to.entry, atMs });
    await this.install(to.entry);
    return { from: this.toEntry(from), to: this.toEntry(to) };
  }

  private async append(line: HistoryLine): Promise<void> {
    await appendFile(join(this.dir, HISTORY), `${JSON.stringify(line)}\n`);
    this.history.push(line);
  }

  /** current.yaml and its signature become byte copies of the entry's. */
  private async install(entry: string): Promise<void> {
    const from = join(this.dir, entry);
    const to = this.currentManifestPath;
    // Signature first: a reader between the two writes sees a mismatch and refuses the model (never a wrong one trusted).
    await writeFileAtomic(signaturePath(to), await readFile(signaturePath(from)));
    await writeFileAtomic(to, await readFile(from));
  }

  private toEntry(line: PromoteLine): RegistryEntry {
    return {
      entry: line.entry,
      manifestPath: join(this.dir, line.entry),
      modelSha256: line.modelSha256,
      keyId: line.keyId,
      promotedAtMs: line.atMs,
    };
  }
}
