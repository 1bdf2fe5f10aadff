// Long UTF-8 text decoded by the engine (assembly/text.ts: the WHATWG UTF-8 decoder, ASCII eight
// bytes at a time) into UTF-16LE, which a runtime with a fast UTF-16 string constructor turns
// into a string with one copy. No I/O.
import { type EngineExports, textEngine } from "./engine.js";
import { R_I32_SLOTS, R_OUT_PTR, R_WRITER_PTR } from "./generated/constants.js";

export class Utf8Decoder {
  readonly #x: EngineExports;
  readonly #resultI32: number;

  constructor() {
    this.#x = textEngine();
    this.#resultI32 = this.#x.result_ptr() >> 2;
  }

  /**
   * The UTF-16LE code units of `bytes` decoded as TextDecoder("utf-8") does (a leading BOM
   * dropped, invalid sequences as U+FFFD): a view of engine memory, valid until the next call; or
   * undefined when every byte is ASCII (TextDecoder makes a one-byte string of that, faster).
   */
  decode(bytes: Uint8Array): Uint8Array | undefined {
    const len = bytes.length;
    if (this.#x.writer_reserve(len * 3 + 8) !== 0) throw new RangeError("text too large for memory");
    const buffer = this.#x.memory.buffer;
    const slots = new Int32Array(buffer, this.#resultI32 << 2, R_I32_SLOTS);
    const at = slots[R_WRITER_PTR] as number;
    new Uint8Array(buffer, at, len).set(bytes);
    const out = this.#x.text_decode_utf8(len);
    return out < 0 ? undefined : new Uint8Array(buffer, slots[R_OUT_PTR] as number, out);
  }
}

let shared: Utf8Decoder | undefined;

/** One decoder for the whole process: it keeps no state between calls. */
export function sharedUtf8Decoder(): Utf8Decoder {
  if (shared === undefined) shared = new Utf8Decoder();
  return shared;
}
