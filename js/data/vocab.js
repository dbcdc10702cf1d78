// vocab.js - character and word vocabularies. Id 0 is padding ('<pad>'),
// id 1 unknown ('<unk>'), the entries follow from id 2.
import { boolOption, checkKnown, intOption } from '../options.js';
import { bad, isArrayLike, typeName } from './checks.js';

export const PAD_ID = 0;
export const UNK_ID = 1;
export const PAD = '<pad>';
export const UNK = '<unk>';

function checkIds(ids, size, what) {
  if (!isArrayLike(ids)) throw bad(`${what}: ids must be an array or a typed array, got ${typeName(ids)}`);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0 || v >= size) {
      throw bad(`${what}: ids[${i}] = ${v} is not a valid id (vocabulary size ${size})`);
    }
  }
}

function checkEntries(list, what, isValid, desc) {
  if (!Array.isArray(list)) throw bad(`${what}: expected an array of ${desc}, got ${typeName(list)}`);
  const seen = new Set();
  list.forEach((e, i) => {
    if (!isValid(e)) throw bad(`${what}: entry ${i} (${JSON.stringify(e)}) is not ${desc}`);
    if (e === PAD || e === UNK) throw bad(`${what}: entry ${i} is the reserved token ${e}`);
    if (seen.has(e)) throw bad(`${what}: entry ${i} (${JSON.stringify(e)}) is a duplicate`);
    seen.add(e);
  });
}

function countOption(options, what) {
  return intOption(options, 'minCount', what, { min: 1, def: 1 });
}

const isOneChar = (c) => typeof c === 'string' && c.length > 0 && [...c].length === 1;

/**
 * Character vocabulary: one id per Unicode code point seen (sorted by code
 * point, so the same text always gives the same ids), after '<pad>' (0) and
 * '<unk>' (1).
 */
export class CharVocab {
  /** chars: the entries from id 2 on (distinct single code points). */
  constructor(chars) {
    checkEntries(chars, 'CharVocab', isOneChar, 'a single character');
    this.chars = Object.freeze([...chars]);
    this.tokens = Object.freeze([PAD, UNK, ...chars]);
    this._ids = new Map(chars.map((c, i) => [c, i + 2]));
    Object.freeze(this);
  }

  /** Every code point of text with at least options.minCount (default 1) occurrences. */
  static fromText(text, options = {}) {
    const what = 'CharVocab.fromText';
    if (typeof text !== 'string') throw bad(`${what}: text must be a string, got ${typeName(text)}`);
    checkKnown(options, ['minCount'], what);
    const minCount = countOption(options, what);
    const counts = new Map();
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    const chars = [...counts].filter(([, n]) => n >= minCount).map(([c]) => c);
    chars.sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
    return new CharVocab(chars);
  }

  static fromJSON(obj) {
    if (obj === null || typeof obj !== 'object' || obj.type !== 'CharVocab') {
      throw bad('CharVocab.fromJSON: expected the object from CharVocab.toJSON() ({ type: \'CharVocab\', chars })');
    }
    // chars: an array, or one string of them (the compact form model files hold)
    return new CharVocab(typeof obj.chars === 'string' ? [...obj.chars] : obj.chars);
  }

  /** Number of ids, including '<pad>' and '<unk>' (numEmbeddings of an Embedding). */
  get size() { return this.tokens.length; }

  /** The id of a character (1 when unknown). */
  id(char) { return this._ids.get(char) ?? UNK_ID; }

  /** One id per code point; characters not in the vocabulary are 1 ('<unk>'). */
  encode(str) {
    if (typeof str !== 'string') throw bad(`CharVocab.encode: expected a string, got ${typeName(str)}`);
    const out = [];
    for (const c of str) out.push(this._ids.get(c) ?? UNK_ID);
    return Int32Array.from(out);
  }

  /** The text of ids: padding (0) skipped, unknown (1) as U+FFFD. */
  decode(ids) {
    checkIds(ids, this.size, 'CharVocab.decode');
    let s = '';
    for (const id of ids) {
      if (id === PAD_ID) continue;
      s += id === UNK_ID ? '\uFFFD' : this.tokens[id];
    }
    return s;
  }

  toJSON() {
    return { type: 'CharVocab', chars: [...this.chars] };
  }
}

const WORD_RE = /[a-z0-9']+|[^\sa-z0-9']/g;
const WORD_RE_CASED = /[a-z0-9']+|[^\sa-z0-9']/gi;

/**
 * Word vocabulary over a simple tokenizer (WordVocab.tokenize), most frequent
 * words first (ties alphabetical), after '<pad>' (0) and '<unk>' (1).
 */
export class WordVocab {
  /** words: the entries from id 2 on; options.lowercase as the tokenizer's (default true). */
  constructor(words, options = {}) {
    const what = 'WordVocab';
    checkKnown(options, ['lowercase'], what);
    checkEntries(words, what, (w) => typeof w === 'string' && w.length > 0, 'a non-empty string');
    this.lowercase = boolOption(options, 'lowercase', what, true);
    this.words = Object.freeze([...words]);
    this.tokens = Object.freeze([PAD, UNK, ...words]);
    this._ids = new Map(words.map((w, i) => [w, i + 2]));
    Object.freeze(this);
  }

  /**
   * Tokens of text: lowercased (unless options.lowercase is false), then runs
   * of ASCII letters, digits and apostrophes are words and every other
   * non-space character is a token of its own:
   * text.toLowerCase().match(/[a-z0-9']+|[^\sa-z0-9']/g).
   *   "Don't stop, 2 go!" -> ["don't", 'stop', ',', '2', 'go', '!']
   */
  static tokenize(text, options = {}) {
    const what = 'WordVocab.tokenize';
    if (typeof text !== 'string') throw bad(`${what}: text must be a string, got ${typeName(text)}`);
    checkKnown(options, ['lowercase'], what);
    const lower = boolOption(options, 'lowercase', what, true);
    return lower ? (text.toLowerCase().match(WORD_RE) ?? []) : (text.match(WORD_RE_CASED) ?? []);
  }

  /**
   * The vocabulary of texts (an array of strings). options.minCount (default
   * 1): rarer tokens stay unknown. options.maxSize: the most ids in all,
   * '<pad>' and '<unk>' included (>= 2; default no limit). options.lowercase
   * (default true). Order: descending count, ties by code unit order.
   */
  static fromTexts(texts, options = {}) {
    const what = 'WordVocab.fromTexts';
    if (typeof texts === 'string') texts = [texts];
    if (!Array.isArray(texts)) throw bad(`${what}: texts must be an array of strings, got ${typeName(texts)}`);
    checkKnown(options, ['minCount', 'maxSize', 'lowercase'], what);
    const minCount = countOption(options, what);
    const maxSize = options.maxSize === undefined ? Infinity : intOption(options, 'maxSize', what, { min: 2 });
    const lowercase = boolOption(options, 'lowercase', what, true);
    const counts = new Map();
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw bad(`${what}: texts[${i}] must be a string, got ${typeName(t)}`);
      for (const w of WordVocab.tokenize(t, { lowercase })) counts.set(w, (counts.get(w) ?? 0) + 1);
    });
    const entries = [...counts].filter(([, n]) => n >= minCount);
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new WordVocab(entries.slice(0, maxSize - 2).map(([w]) => w), { lowercase });
  }

  static fromJSON(obj) {
    if (obj === null || typeof obj !== 'object' || obj.type !== 'WordVocab') {
      throw bad('WordVocab.fromJSON: expected the object from WordVocab.toJSON() ({ type: \'WordVocab\', words, lowercase })');
    }
    // words: an array, or one string of them joined by single spaces (the
    // compact form model files hold: tokenize() never gives a space)
    const w = obj.words;
    return new WordVocab(typeof w === 'string' ? (w ? w.split(' ') : []) : w, { lowercase: obj.lowercase ?? true });
  }

  /** Number of ids, including '<pad>' and '<unk>' (numEmbeddings of an Embedding). */
  get size() { return this.tokens.length; }

  /** The id of a token (1 when unknown). */
  id(token) { return this._ids.get(token) ?? UNK_ID; }

  /** The ids of text's tokens; unknown tokens are 1 ('<unk>'). */
  encode(text) {
    const toks = WordVocab.tokenize(text, { lowercase: this.lowercase });
    return Int32Array.from(toks, (w) => this._ids.get(w) ?? UNK_ID);
  }

  /** The tokens of ids joined by single spaces: padding skipped, unknown as '<unk>'. */
  decode(ids) {
    checkIds(ids, this.size, 'WordVocab.decode');
    const out = [];
    for (const id of ids) if (id !== PAD_ID) out.push(this.tokens[id]);
    return out.join(' ');
  }

  toJSON() {
    return { type: 'WordVocab', lowercase: this.lowercase, words: [...this.words] };
  }
}
