// Small byte arrays carved from shared 64 KiB slabs: one allocation per slab instead of one per
// array, which for a few hundred bytes costs more than filling them (request heads, json= bodies).
// A full slab is replaced, never overwritten, so every array keeps its bytes for as long as it is
// held. No I/O.

const SLAB_SIZE = 64 * 1024;

let slab = new Uint8Array(0);
let at = 0;

/**
 * At most `size` bytes to write into: a view of the slab, or an array of its own when `size` is
 * over `max`. `commit` then says how many were written.
 */
export function room(size: number, max: number): Uint8Array {
  if (size > max) return new Uint8Array(size);
  if (at + size > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    at = 0;
  }
  return slab.subarray(at, at + size);
}

/** The `length` bytes written into `space` (from `room`), which the slab gives to no one else. */
export function commit(space: Uint8Array, length: number): Uint8Array {
  if (space.buffer === slab.buffer) at = (space.byteOffset + length + 7) & ~7;
  return space.subarray(0, length);
}
