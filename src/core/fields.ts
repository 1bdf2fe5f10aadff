// A parsed head or trailer section: its bytes and the engine's field table, copied out of wasm
// memory once. The section is decoded to one string the first time a field is read; every name
// and value after that is a slice of it.
import { decodeSection } from "./latin1.js";

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_TABLE = new Int32Array(0);

/** The header (or trailer) fields of one response, in the order received. */
export class FieldSection {
  /** The section's raw bytes (latin1); obs-folds already replaced by SP. */
  readonly bytes: Uint8Array;
  /** Per field: name offset, name length, value offset, value length (into `bytes`). */
  readonly table: Int32Array;
  readonly #ascii: boolean;
  #text: string | undefined;
  #entries: Array<[string, string]> | undefined;

  constructor(bytes: Uint8Array = EMPTY_BYTES, table: Int32Array = EMPTY_TABLE, ascii = true) {
    this.bytes = bytes;
    this.table = table;
    this.#ascii = ascii;
  }

  /** The whole section as a latin1 string (made on first use). */
  get text(): string {
    if (this.#text === undefined) this.#text = decodeSection(this.bytes, this.#ascii);
    return this.#text;
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
  /** Whether field i is named `lowerName` (which must be lower case), compared without a string. */
  nameIs(i: number, lowerName: string): boolean {
    const t = i << 2;
    const n = this.table[t + 1] as number;
    if (n !== lowerName.length) return false;
    const off = this.table[t] as number;
    const bytes = this.bytes;
    for (let k = 0; k < n; k++) {
      let b = bytes[off + k] as number;
      if (b >= 0x41 && b <= 0x5a) b |= 0x20;
      if (b !== lowerName.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Index of the first field named `name` (any case), or -1. */
  indexOf(name: string, from = 0): number {
    const lower = name.toLowerCase();
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
    const all = this.getAll(name);
    return all.length === 0 ? undefined : all.join(", ");
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
