// Public suffixes (RFC 6265 §5.3 step 5), by the Public Suffix List's algorithm
// (https://publicsuffix.org/list/): the prevailing rule is an exception rule if one matches, else
// the matching rule with the most labels, else `*` (any one label). Every rule of the list counts,
// ICANN and PRIVATE sections alike, as browsers do. The list is compiled at build time
// (assembly/public-suffixes.mjs) into generated/public-suffixes.ts; this module and the table are
// one chunk, loaded with the first Set-Cookie line that has a Domain attribute (set-cookie.ts).
import { SUFFIX_TRIE } from "./generated/public-suffixes.js";

/** A label of the trie: whether a rule ends here, and the labels to its left. */
interface SuffixNode {
  rule: boolean;
  next: Map<string, SuffixNode> | undefined;
}

let trie: Map<string, SuffixNode> | undefined;

/** Reads the table's text (`label["?"]["(" children ")"]`, comma-separated) into nested maps. */
function readTrie(text: string): Map<string, SuffixNode> {
  const root = new Map<string, SuffixNode>();
  const parents: Array<Map<string, SuffixNode>> = [];
  let level = root;
  let last: SuffixNode | undefined;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2c;
    // , ( ) ? end a label
    if (c !== 0x2c && c !== 0x28 && c !== 0x29 && c !== 0x3f) continue;
    if (i > start) {
      last = { rule: c !== 0x3f, next: undefined };
      level.set(text.slice(start, i), last);
    }
    start = i + 1;
    if (c === 0x28 && last !== undefined) {
      parents.push(level);
      last.next = new Map();
      level = last.next;
    } else if (c === 0x29) {
      level = parents.pop() ?? root;
    }
  }
  return root;
}

/** How many labels, counted from the right, the public suffix of `labels` has (at least 1). */
function suffixLength(labels: readonly string[]): number {
  trie ??= readTrie(SUFFIX_TRIE);
  let length = 1; // the default rule `*`
  let level: Map<string, SuffixNode> | undefined = trie;
  for (let k = 1; k <= labels.length && level !== undefined; k++) {
    const label = labels[labels.length - k] as string;
    // an exception rule prevails: its own leftmost label is not part of the suffix
    if (level.has(`!${label}`)) return k - 1;
    const node = level.get(label);
    if (level.has("*") || node?.rule === true) length = k;
    level = node?.next;
  }
  return length;
}

/**
 * `domain` (lowercase, IDN labels in punycode, as URL.hostname has them) is a public suffix: a name
 * under which anyone may register their own (com, co.uk, github.io, k12.ca.us).
 */
export function isPublicSuffix(domain: string): boolean {
  const labels = domain.split(".");
  return suffixLength(labels) === labels.length;
}
