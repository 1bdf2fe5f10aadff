// A parsed head or trailer section: decoded out of wasm memory into one string, with the engine's
// field table beside it. Every name and value is a slice of that string, made when asked for.

const EMPTY_TABLE: readonly number[] = [];
/** A name with no upper-case letter needs no toLowerCase (and no new string). */
const LOWER_NAME = /^[^A-Z]*$/;

/** The header (or trailer) fields of one response, in the order received. */
export class FieldSection {
  /** The section as a latin1 string (one char per byte); obs-folds already replaced by SP. */
  readonly text: string;
  /** Per field: name offset, name length, value offset, value length (into `text`). */
  readonly table: readonly number[];
  #entries: Array<[string, string]> | undefined;

  constructor(text = "", table: readonly number[] = EMPTY_TABLE) {
    this.text = text;
    this.table = table;
  }

  /** Number of fields. */
  get length(): number {
    return this.table.length >> 2;
  }

  /** Name of field i, as received. */
  name(i: number): string {
    const t = i << 2;
    const off = this.table[t] as number;
    return this.text.slice(off, off + (this.table[t + 1] as number));
  }

  /** Value of field i, without leading or trailing whitespace. */
  value(i: number): string {
    const t = i << 2;
    const off = this.table[t + 2] as number;
    return this.text.slice(off, off + (this.table[t + 3] as number));
  }
  /** Whether field i is named `lowerName` (which must be lower case), compared without a new string. */
  nameIs(i: number, lowerName: string): boolean {
    const t = i << 2;
    const n = this.table[t + 1] as number;
    if (n !== lowerName.length) return false;
    const off = this.table[t] as number;
    const text = this.text;
    for (let k = 0; k < n; k++) {
      let b = text.charCodeAt(off + k);
      if (b >= 0x41 && b <= 0x5a) b |= 0x20;
      if (b !== lowerName.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Index of the first field named `name` (any case), or -1. */
  indexOf(name: string, from = 0): number {
    const lower = LOWER_NAME.test(name) ? name : name.toLowerCase();
    for (let i = from, n = this.length; i < n; i++) if (this.nameIs(i, lower)) return i;
    return -1;
  }

  /** Every value of the fields named `name` (any case), in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0, n = this.length; i < n; i++) if (this.nameIs(i, lower)) out.push(this.value(i));
    return out;
  }

  /** The values of the fields named `name` joined with ", " (RFC 9110 §5.3), or undefined. */
  get(name: string): string | undefined {
    const lower = LOWER_NAME.test(name) ? name : name.toLowerCase();
    const first = this.indexOf(lower);
    if (first < 0) return undefined;
    // most names come once: no array unless another field has the name
    let value = this.value(first);
    for (let i = first + 1, n = this.length; i < n; i++) if (this.nameIs(i, lower)) value += `, ${this.value(i)}`;
    return value;
  }

  /** All fields as [name, value] pairs, in order (made once). */
  entries(): Array<[string, string]> {
    if (this.#entries === undefined) {
      const out: Array<[string, string]> = [];
      for (let i = 0, n = this.length; i < n; i++) out.push([this.name(i), this.value(i)]);
      this.#entries = out;
    }
    return this.#entries;
  }
}
