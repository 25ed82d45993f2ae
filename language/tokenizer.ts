/**
 * Hugging Face `tokenizer.json` reader for the two kinds Kestrel's ONNX
 * language models use:
 *
 * - BPE with merges and the ByteLevel pre-tokenizer and decoder (GPT-2 style);
 * - plain BPE with no merges and no pre-tokenizer: a character-level vocab,
 *   unknown characters become the unk token when the vocab has one.
 *
 * `added_tokens` (special or not) are recognised verbatim in the text before
 * anything else, longest first, as HF does. Normalizers, other pre-tokenizers
 * and byte fallback are refused with `language.tokenizer_invalid` rather than
 * encoded differently from the model's training.
 *
 * Pure: parses an object; reading the file is the caller's job.
 */
import { z } from 'zod';
import { LanguageLoadError } from './errors.js';

const addedTokenSchema = z.object({
  id: z.number().int().min(0),
  content: z.string(),
  special: z.boolean().default(false),
});

const tokenizerJsonSchema = z.object({
  added_tokens: z.array(addedTokenSchema).nullish(),
  normalizer: z.unknown().nullish(),
  pre_tokenizer: z
    .object({ type: z.string(), add_prefix_space: z.boolean().optional(), use_regex: z.boolean().optional() })
    .loose()
    .nullish(),
  decoder: z.object({ type: z.string() }).loose().nullish(),
  model: z
    .object({
      type: z.string(),
      vocab: z.record(z.string(), z.number().int().min(0)),
      merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])).default([]),
      unk_token: z.string().nullish(),
      continuing_subword_prefix: z.string().nullish(),
      end_of_word_suffix: z.string().nullish(),
      byte_fallback: z.boolean().nullish(),
    })
    .loose(),
});

/** GPT-2's pre-tokenization regex (contractions, letters, numbers, other, whitespace). */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible byte -> printable-unicode map. */
function byteLevelTables(): { byteToChar: string[]; charToByte: Map<string, number> } {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const byteToChar: string[] = new Array<string>(256);
  const charToByte = new Map<string, number>();
  bs.forEach((b, i) => {
    const ch = String.fromCodePoint(cs[i] ?? b);
    byteToChar[b] = ch;
    charToByte.set(ch, b);
  });
  return { byteToChar, charToByte };
}

export interface TokenizerInfo {
  readonly kind: 'byte-level-bpe' | 'char-bpe';
  /** Entries in `model.vocab`. */
  readonly vocabEntries: number;
  /** Entries in `added_tokens` that are not already in the vocab. */
  readonly addedEntries: number;
}

export class Tokenizer {
  /** Highest token id + 1: the size a model's logits must have. */
  readonly vocabSize: number;
  readonly info: TokenizerInfo;
  readonly unkId: number | undefined;
  private readonly vocab: Map<string, number>;
  private readonly idToToken: string[];
  private readonly ranks: Map<string, number>;
  private readonly byteLevel: { byteToChar: string[]; charToByte: Map<string, number> } | undefined;
  private readonly addPrefixSpace: boolean;
  private readonly useRegex: boolean;
  private readonly added: Map<string, number>;
  private readonly specialIds: Set<number>;
  private readonly addedSplit: RegExp | undefined;
  private readonly cache = new Map<string, readonly number[]>();
  // One decoder for every decode() call: TextDecoder construction is not free.
  private readonly utf8 = new TextDecoder('utf-8');
  private readonly utf8Strict = new TextDecoder('utf-8', { fatal: true });

  private constructor(json: z.output<typeof tokenizerJsonSchema>, source: string) {
    const refuse = (message: string): never => {
      throw new LanguageLoadError('language.tokenizer_invalid', `${source}: ${message}`, {
        issues: [{ code: 'tokenizer_invalid', path: ['tokenizer'], message }],
      });
    };
    const model = json.model;
    if (model.type !== 'BPE') refuse(`model type ${model.type} is not supported (BPE only)`);
    if (json.normalizer != null) refuse('normalizers are not supported');
    if (model.byte_fallback === true) refuse('byte_fallback is not supported');
    if ((model.continuing_subword_prefix ?? '') !== '' || (model.end_of_word_suffix ?? '') !== '') {
      refuse('continuing_subword_prefix / end_of_word_suffix are not supported');
    }
    const pre = json.pre_tokenizer;
    if (pre != null && pre.type !== 'ByteLevel')
      refuse(`pre_tokenizer ${pre.type} is not supported (ByteLevel or none)`);
    if (json.decoder != null && json.decoder.type !== 'ByteLevel') {
      refuse(`decoder ${json.decoder.type} is not supported (ByteLevel or none)`);
    }
    this.byteLevel = pre?.type === 'ByteLevel' ? byteLevelTables() : undefined;
    this.addPrefixSpace = pre?.add_prefix_space === true;
    this.useRegex = pre?.use_regex !== false;

    this.vocab = new Map(Object.entries(model.vocab));
    this.idToToken = [];
    for (const [token, id] of this.vocab) this.idToToken[id] = token;
    this.ranks = new Map();
    model.merges.forEach((m, rank) => {
      const key = typeof m === 'string' ? m : `${m[0]} ${m[1]}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });

    this.added = new Map();
    this.specialIds = new Set();
    let addedEntries = 0;
    for (const t of json.added_tokens ?? []) {
      this.added.set(t.content, t.id);
      if (t.special) this.specialIds.add(t.id);
      if (this.idToToken[t.id] === undefined) addedEntries++;
      this.idToToken[t.id] = t.content;
    }
    const addedTexts = [...this.added.keys()].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
    this.addedSplit =
      addedTexts.length === 0
        ? undefined
        : new RegExp(`(${addedTexts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'u');

    this.unkId =
      model.unk_token == null ? undefined : (this.vocab.get(model.unk_token) ?? this.added.get(model.unk_token));
    this.vocabSize = this.idToToken.length;
    this.info = {
      kind: this.byteLevel === undefined ? 'char-bpe' : 'byte-level-bpe',
      vocabEntries: this.vocab.size,
      addedEntries,
    };
  }

  /** Parses a tokenizer.json object; `source` names the file in errors. */
  static fromJson(value: unknown, source = 'tokenizer.json'): Tokenizer {
    const parsed = tokenizerJsonSchema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({
        code: i.code,
        path: ['tokenizer', ...i.path.filter((p): p is string | number => typeof p !== 'symbol')],
        message: i.message,
      }));
      throw new LanguageLoadError(
        'language.tokenizer_invalid',
        `${source} is not a HF tokenizer.json Kestrel reads: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        { issues },
      );
    }
    return new Tokenizer(parsed.data, source);
  }

  /** Token ids of `text`; added tokens (`<|bos|>`, `<|endoftext|>`) are recognised verbatim. */
  encode(text: string): number[] {
    const out: number[] = [];
    const parts = this.addedSplit === undefined ? [text] : text.split(this.addedSplit);
    // split() with one capture group alternates plain text and added tokens.
    parts.forEach((part, i) => {
      if (part === '') return;
      if (i % 2 === 1 && this.addedSplit !== undefined) {
        const id = this.added.get(part);
        if (id !== undefined) {
          out.push(id);
          return;
        }
      }
      this.encodePlain(part, out);
    });
    return out;
  }

  /** Text of `ids`; special tokens are dropped when `skipSpecial`. */
  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    let text = '';
    let pending: number[] = [];
    const flush = (): void => {
      if (pending.length > 0) text += this.utf8.decode(Uint8Array.from(pending));
      pending = [];
    };
    for (const id of ids) {
      const token = this.idToToken[id];
      if (token === undefined) continue;
      if (this.added.has(token) && this.added.get(token) === id) {
        flush();
        if (!(options.skipSpecial === true && this.specialIds.has(id))) text += token;
        continue;
      }
      if (this.byteLevel === undefined) {
        text += token;
        continue;
      }
      for (const ch of token) {
        const b = this.byteLevel.charToByte.get(ch);
        if (b !== undefined) pending.push(b);
      }
    }
    flush();
    return text;
  }

  /**
   * What token `id` adds to the decoded text. Undefined for unknown ids and
   * for byte-level tokens that are not valid UTF-8 on their own (a piece of a
   * multi-byte character): those cannot be checked char by char.
   */
  tokenText(id: number): string | undefined {
    const token = this.idToToken[id];
    if (token === undefined) return undefined;
    if (this.byteLevel === undefined || this.added.get(token) === id) return token;
    const bytes: number[] = [];
    for (const ch of token) {
      const b = this.byteLevel.charToByte.get(ch);
      if (b === undefined) return undefined;
      bytes.push(b);
    }
    try {
      return this.utf8Strict.decode(Uint8Array.from(bytes));
    } catch {
      return undefined;
    }
  }

  /** True for added tokens marked special (`<|eos|>`, `<|bos|>`): never part of generated text. */
  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** Id of an added or vocab token by its exact text. */
  idOf(token: string): number | undefined {
    return this.added.get(token) ?? this.vocab.get(token);
  }

  private encodePlain(text: string, out: number[]): void {
    if (this.byteLevel === undefined) {
      // No pre-tokenizer: the whole text is one word.
      this.encodeWord(text, out);
      return;
    }
    const table = this.byteLevel.byteToChar;
    const input = this.addPrefixSpace && !text.startsWith(' ') ? ` ${text}` : text;
    const words = this.useRegex ? (input.match(GPT2_SPLIT) ?? []) : [input];
    const encoder = new TextEncoder();
    for (const word of words) {
      let mapped = '';
      for (const b of encoder.encode(word)) mapped += table[b] ?? '';
      this.encodeWord(mapped, out);
    }
  }

  private encodeWord(word: string, out: number[]): void {
    const cached = this.cache.get(word);
    if (cached !== undefined) {
      for (const id of cached) out.push(id);
      return;
    }
    // Code points, as HF's BPE splits words into characters.
    let symbols = Array.from(word);
    // Classic BPE: merge the lowest-ranked adjacent pair until none is in the merge table.
    while (symbols.length > 1 && this.ranks.size > 0) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = this.ranks.get(`${symbols[i] ?? ''} ${symbols[i + 1] ?? ''}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const first = symbols[best] ?? '';
      const second = symbols[best + 1] ?? '';
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i < symbols.length - 1 && symbols[i] === first && symbols[i + 1] === second) {
          merged.push(first + second);
          i++;
        } else {
          merged.push(symbols[i] ?? '');
        }
      }
      symbols = merged;
    }
    const ids: number[] = [];
    for (const s of symbols) {
      const id = this.vocab.get(s);
      if (id !== undefined) ids.push(id);
      else if (this.unkId !== undefined) ids.push(this.unkId);
      // No unk token: the character is dropped, as HF does.
    }
    // Words repeat a lot in operator requests; the cache stays small for a session.
    if (this.cache.size < 10_000) this.cache.set(word, ids);
    for (const id of ids) out.push(id);
  }
}
