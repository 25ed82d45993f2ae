import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LanguageLoadError, loadTokenizerFile, Tokenizer } from '../../language/index.js';
import { fixtureTokenizer, gpt2Tokenizer, hasGpt2 } from './fixtures.js';

describe('Tokenizer: character-level BPE (no merges, no pre-tokenizer)', () => {
  const tok = Tokenizer.fromJson(JSON.parse(readFileSync(fixtureTokenizer, 'utf8')));

  it('has 100 ids: 5 special tokens and the 95 printable ASCII characters', () => {
    expect(tok.vocabSize).toBe(100);
    expect(tok.info.kind).toBe('char-bpe');
    expect(tok.isSpecial(tok.idOf('<|eos|>')!)).toBe(true);
    expect(tok.isSpecial(tok.idOf('a')!)).toBe(false);
  });

  it('recognises special tokens verbatim and encodes every other character as itself', () => {
    const ids = tok.encode('<|bos|>patrol at 40 m<|sep|>');
    expect(ids[0]).toBe(tok.idOf('<|bos|>'));
    expect(ids.at(-1)).toBe(tok.idOf('<|sep|>'));
    expect(ids).toHaveLength(2 + 'patrol at 40 m'.length);
    expect(
      ids
        .slice(1, -1)
        .map((id) => tok.tokenText(id))
        .join(''),
    ).toBe('patrol at 40 m');
  });

  it('round-trips printable ASCII, with and without special tokens', () => {
    const text = '{"behavior":"area_search","zone":"east 2"} ~!@#$%^&*()_+`-=[]\\;\',./';
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.decode(tok.encode(`<|bos|>${text}<|eos|>`), { skipSpecial: true })).toBe(text);
    expect(tok.decode(tok.encode(`<|bos|>${text}<|eos|>`))).toBe(`<|bos|>${text}<|eos|>`);
  });

  it('maps characters outside the vocab to <|unk|>', () => {
    expect(tok.encode('é\n')).toEqual([tok.unkId, tok.unkId]);
  });

  it('loads from a file through loadTokenizerFile', async () => {
    expect((await loadTokenizerFile(fixtureTokenizer)).vocabSize).toBe(100);
  });
});

describe.skipIf(!hasGpt2)('Tokenizer: GPT-2 byte-level BPE (shared reference tokenizer.json)', () => {
  // The describe body runs even when skipped: read the shared file only when it exists.
  const tok = hasGpt2
    ? Tokenizer.fromJson(JSON.parse(readFileSync(gpt2Tokenizer, 'utf8')), gpt2Tokenizer)
    : Tokenizer.fromJson(JSON.parse(readFileSync(fixtureTokenizer, 'utf8')));

  it('matches the Hugging Face ids', () => {
    expect(tok.encode('hello world')).toEqual([31373, 995]);
    expect(tok.encode('Hello, world!')).toEqual([15496, 11, 995, 0]);
    expect(tok.encode('<|endoftext|>')).toEqual([50256]);
  });

  it('has 50,257 vocab entries and 38 added tokens beyond them', () => {
    expect(tok.info).toEqual({ kind: 'byte-level-bpe', vocabEntries: 50257, addedEntries: 38 });
    expect(tok.vocabSize).toBe(50295);
  });

  it('round-trips UTF-8 text, emoji included', () => {
    for (const text of [
      'Grüße aus Köln, 40 m über Grund',
      'drone 🚁 at 30 %',
      '  two  spaces\tand tab',
      "it's 12:00",
    ]) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it('tokenText is undefined for a token that is half a UTF-8 character', () => {
    const ids = tok.encode('🚁');
    expect(ids.length).toBeGreaterThan(1);
    expect(ids.some((id) => tok.tokenText(id) === undefined)).toBe(true);
    expect(tok.tokenText(995)).toBe(' world');
  });
});

describe('Tokenizer: kinds Kestrel does not read', () => {
  const minimal = { model: { type: 'BPE', vocab: { a: 0 }, merges: [] } };
  it.each([
    ['a normalizer', { ...minimal, normalizer: { type: 'NFC' } }],
    ['a WordPiece model', { model: { type: 'WordPiece', vocab: { a: 0 } } }],
    ['a Metaspace pre-tokenizer', { ...minimal, pre_tokenizer: { type: 'Metaspace' } }],
    ['not a tokenizer at all', { hello: 1 }],
  ])('EXPECTED FAILURE - %s is refused with language.tokenizer_invalid', (_why, json) => {
    let error: unknown;
    try {
      Tokenizer.fromJson(json, 'test.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LanguageLoadError);
    expect((error as LanguageLoadError).code).toBe('language.tokenizer_invalid');
    expect((error as LanguageLoadError).message).toContain('test.json');
  });
});
