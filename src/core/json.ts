// JSON text as Python's json.dumps writes it by default, which is what requests sends for json=:
// JSON.stringify's output, encoded to UTF-8 into engine memory and rewritten there
// (assembly/json.ts: ", " and ": " between items, every character of a string outside printable
// ASCII as \uXXXX). Long text goes in pieces, in the text passes' engine instance. No I/O.
import { type EngineExports, textEngine } from "./engine.js";
import { R_I32_SLOTS, R_OUT_PTR, R_WRITER_CAP, R_WRITER_PTR } from "./generated/constants.js";
import { commit, room } from "./slab.js";

/** JSON text goes to the engine in pieces of at most this many UTF-16 code units. */
const PIECE = 16 * 1024;
/** Outputs up to this many bytes are carved from the shared slab (slab.ts). */
const SLAB_MAX = 16 * 1024;
const utf8 = new TextEncoder();

let slots: Int32Array | undefined;
let u8: Uint8Array | undefined;

/** The engine, with views of its memory made again whenever it has grown. */
function views(need: number): [EngineExports, Int32Array, Uint8Array] {
  const x = textEngine();
  if (slots === undefined || slots.buffer !== x.memory.buffer) {
    slots = new Int32Array(x.memory.buffer, x.result_ptr(), R_I32_SLOTS);
  }
  if (need > (slots[R_WRITER_CAP] as number)) {
    if (x.writer_reserve(need) !== 0) throw new RangeError("JSON text too large for memory");
    slots = new Int32Array(x.memory.buffer, x.result_ptr(), R_I32_SLOTS);
  }
  if (u8 === undefined || u8.buffer !== x.memory.buffer) u8 = new Uint8Array(x.memory.buffer);
  return [x, slots, u8];
}

/**
 * JSON.stringify's output as the bytes json.dumps writes by default.
 * @example latin1(pythonJson('{"a":[1,"é"]}')) // '{"a": [1, "\\u00e9"]}'
 */
export function pythonJson(json: string): Uint8Array {
  const most = Math.min(json.length, PIECE) * 3; // UTF-8 bytes of a piece, at most
  // the output after them: six bytes per input byte at most (DEL becomes \u007f)
  const [x, r, mem] = views(most + 8 + 6 * most);
  const base = r[R_WRITER_PTR] as number;
  const input = mem.subarray(base, base + most);
  let state = 0;
  let done = 0;
  let out = new Uint8Array(0); // long text: the pieces' output, gathered
  let total = 0;
  do {
    // encodeInto writes whole characters only: a piece never ends inside one
    const { read, written } = utf8.encodeInto(done === 0 ? json : json.slice(done), input);
    done += read as number;
    const result = x.json_python(written as number, state);
    state = result & 3;
    const len = result >>> 2;
    const at = r[R_OUT_PTR] as number;
    if (done === json.length && total === 0) {
      const space = room(len, SLAB_MAX);
      space.set(mem.subarray(at, at + len));
      return commit(space, len);
    }
    if (total + len > out.length) {
      const bigger = new Uint8Array(Math.max(out.length * 2, total + len, json.length + (json.length >> 3)));
      bigger.set(out.subarray(0, total));
      out = bigger;
    }
    out.set(mem.subarray(at, at + len), total);
    total += len;
  } while (done < json.length);
  return out.subarray(0, total);
}
