// RequestWriter: the engine's request serializer, driven from JS. No I/O.
//
// Fields are written into wasm memory as latin1 (a character above U+00FF is refused here, as
// fetch refuses it), validated by the engine (method and names are tokens; the target is
// visible ASCII; values have no CR, LF, NUL or other control character), and only then
// serialized: a bad field never produces a byte of output.

import { SerializeError } from "../errors.js";
import { type EngineExports, instantiateEngine } from "./engine.js";
import {
  ERR_INVALID_METHOD,
  ERR_INVALID_REQUEST_HEADER_NAME,
  ERR_INVALID_REQUEST_HEADER_VALUE,
  ERR_INVALID_TARGET,
  R_ERROR,
  R_ERROR_FIELD,
  R_ERROR_POS,
  R_I32_SLOTS,
  R_OUT_PTR,
  R_WRITER_CAP,
  R_WRITER_PTR,
} from "./generated/constants.js";
import { commit, room } from "./slab.js";

/** Header fields to write, in order. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

const FIELD_CODES = [ERR_INVALID_METHOD, ERR_INVALID_TARGET];

function fieldLabel(index: number): [string, number] {
  if (index === 0) return ["method", -1];
  if (index === 1) return ["target", -1];
  return [(index & 1) === 0 ? "header name" : "header value", (index - 2) >> 1];
}

/** Outputs up to this many bytes are copied into a shared slab (slab.ts), larger ones get their own array. */
const SLAB_MAX = 8 * 1024;

export class RequestWriter {
  readonly #x: EngineExports;
  #u8!: Uint8Array;
  #i32!: Int32Array;
  #mem32!: Int32Array;
  readonly #resultI32: number;

  constructor() {
    this.#x = instantiateEngine();
    this.#resultI32 = this.#x.result_ptr() >> 2;
    this.#refreshViews();
  }

  #refreshViews(): void {
    const buffer = this.#x.memory.buffer;
    this.#u8 = new Uint8Array(buffer);
    this.#i32 = new Int32Array(buffer, this.#resultI32 << 2, R_I32_SLOTS);
    this.#mem32 = new Int32Array(buffer);
  }

  #r(slot: number): number {
    return this.#i32[slot] as number;
  }

  /** Writes `text` as latin1 at `p`; refuses characters above U+00FF. Returns the end. */
  #put(text: string, p: number, field: number): number {
    const u8 = this.#u8;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) {
        const [label, index] = fieldLabel(field);
        const code =
          field < 2
            ? (FIELD_CODES[field] as number)
            : (field & 1) === 0
              ? ERR_INVALID_REQUEST_HEADER_NAME
              : ERR_INVALID_REQUEST_HEADER_VALUE;
        throw new SerializeError(code, label, index, i, "Character outside ISO-8859-1");
      }
      u8[p + i] = c;
    }
    return p + text.length;
  }

  /** Serializes a request head: `METHOD target HTTP/1.1`, the fields, and the blank line. */
  head(method: string, target: string, headers: HeaderList): Uint8Array {
    const count = headers.length;
    const fields = 2 + 2 * count;
    let chars = method.length + target.length;
    for (let i = 0; i < count; i++) {
      const h = headers[i] as readonly [string, string];
      chars += h[0].length + h[1].length;
    }
    const need = fields * 4 + chars + 16 + chars + 4 * count + 14;
    if (need > this.#r(R_WRITER_CAP)) {
      if (this.#x.writer_reserve(need) !== 0) throw new RangeError("request head too large for memory");
      this.#refreshViews();
    }
    const base = this.#r(R_WRITER_PTR);
    const lens = this.#mem32;
    let slot = base >> 2;
    let p = base + fields * 4;
    let q = this.#put(method, p, 0);
    lens[slot++] = q - p;
    p = this.#put(target, q, 1);
    lens[slot++] = p - q;
    for (let i = 0; i < count; i++) {
      const h = headers[i] as readonly [string, string];
      q = this.#put(h[0], p, 2 + 2 * i);
      lens[slot++] = q - p;
      p = this.#put(h[1], q, 3 + 2 * i);
      lens[slot++] = p - q;
    }
    const len = this.#x.writer_head(count);
    if (len < 0) {
      const field = this.#r(R_ERROR_FIELD);
      const [label, index] = fieldLabel(field);
      throw new SerializeError(this.#r(R_ERROR), label, index, this.#r(R_ERROR_POS));
    }
    return this.#copyOut(this.#r(R_OUT_PTR), len);
  }

  /**
   * Copies output out of wasm memory (which the next call reuses); small outputs into the shared
   * slab (slab.ts).
   */
  #copyOut(ptr: number, len: number): Uint8Array {
    const space = room(len, SLAB_MAX);
    if (len <= 512) {
      // a short copy by hand: no view of the source to allocate
      const u8 = this.#u8;
      for (let i = 0; i < len; i++) space[i] = u8[ptr + i] as number;
    } else {
      space.set(this.#u8.subarray(ptr, ptr + len));
    }
    return commit(space, len);
  }

  /** The chunk-size line ("HEX\r\n") that goes before `size` bytes of a chunked body. */
  chunkHead(size: number): Uint8Array {
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`invalid chunk size: ${size}`);
    const len = this.#x.writer_chunk_head(size);
    return this.#copyOut(this.#r(R_OUT_PTR), len);
  }

  /** The last chunk of a chunked body with no trailers ("0\r\n\r\n"). */
  lastChunk(): Uint8Array {
    const len = this.#x.writer_last_chunk();
    return this.#copyOut(this.#r(R_OUT_PTR), len);
  }
}

let shared: RequestWriter | undefined;

/** One writer for the whole process: it keeps no state between calls. */
export function sharedWriter(): RequestWriter {
  if (shared === undefined) shared = new RequestWriter();
  return shared;
}
