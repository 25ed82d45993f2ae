/**
 * Token masks from the character automaton over any vocabulary: a token is
 * allowed iff every character of its text is accepted from the current
 * state; EOS only where the output can end.
 *
 * Token texts sit in a trie built once per vocabulary, so one mask costs one
 * automaton step per viable trie edge, not one walk per token: 50k GPT-2
 * tokens share their prefixes, and a rejected first character prunes every
 * token that starts with it.
 */
import type { ConstraintState } from './json-constraint.js';

interface TrieNode {
  /** Tokens whose text ends here. */
  ids: number[];
  children: Map<string, TrieNode>;
}

/** Everything a mask needs to know about a vocabulary. */
export interface MaskVocabulary {
  readonly vocabSize: number;
  /** Text a token adds to the output, undefined for tokens that must never be generated under a constraint. */
  tokenText(id: number): string | undefined;
  isSpecial(id: number): boolean;
}

export interface TokenMask {
  /** Allowed token ids, in trie order. */
  readonly allowed: readonly number[];
  /** EOS may be chosen (the output is complete here). */
  readonly eosAllowed: boolean;
}

export class TokenTrie {
  private readonly root: TrieNode = { ids: [], children: new Map() };
  /** Tokens the mask can ever allow. */
  readonly size: number;

  constructor(vocab: MaskVocabulary) {
    let size = 0;
    for (let id = 0; id < vocab.vocabSize; id++) {
      if (vocab.isSpecial(id)) continue;
      const text = vocab.tokenText(id);
      if (text === undefined || text === '') continue;
      let node = this.root;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i] ?? '';
        let next = node.children.get(ch);
        if (next === undefined) {
          next = { ids: [], children: new Map() };
          node.children.set(ch, next);
        }
        node = next;
      }
      node.ids.push(id);
      size++;
    }
    this.size = size;
  }

  /** Allowed tokens from `state`. */
  mask(state: ConstraintState): TokenMask {
    const allowed: number[] = [];
    const walk = (node: TrieNode, s: ConstraintState): void => {
      for (const [ch, child] of node.children) {
        const next = s.feed(ch);
        if (next === undefined) continue;
        for (const id of child.ids) allowed.push(id);
        if (child.children.size > 0) walk(child, next);
      }
    };
    walk(this.root, state);
    return { allowed, eosAllowed: state.canEnd };
  }
}
