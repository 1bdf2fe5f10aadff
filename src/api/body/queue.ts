// The response body between the connection and the user: decoded chunks are queued here; a
// streamed response reads them as they come (pausing the socket when too much is waiting),
// a buffered one gets them all at the end.
import type { RequestException } from "../../errors.js";
import type { BodyControl } from "../../http/connection.js";

/** Bytes queued before the socket is paused (streamed responses). */
const HIGH_WATER = 1 << 20;
/** Bytes queued below which a paused socket resumes. */
const LOW_WATER = 1 << 18;

export class BodyQueue {
  readonly #control: BodyControl;
  readonly #streaming: boolean;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #queued = 0;
  #done = false;
  #error: RequestException | undefined;
  #waiter: (() => void) | undefined;
  #paused = false;

  constructor(control: BodyControl, streaming: boolean) {
    this.#control = control;
    this.#streaming = streaming;
  }

  /** The body has ended normally. */
  get done(): boolean {
    return this.#done;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
    if (this.#streaming && !this.#paused && this.#queued > HIGH_WATER) {
      this.#paused = true;
      this.#control.pause();
    }
    this.#wake();
  }

  end(): void {
    this.#done = true;
    this.#wake();
  }

  fail(error: RequestException): void {
    if (this.#done || this.#error !== undefined) return;
    this.#error = error;
    this.#wake();
  }

  /** Gives up on the rest of the body: the connection is closed. */
  abandon(reason?: unknown): void {
    if (!this.#done && this.#error === undefined) this.#control.abort(reason);
    this.#chunks = [];
    this.#head = 0;
    this.#queued = 0;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  /**
   * Everything queued, joined (for a body that has ended). `own`: the result never shares memory
   * with a chunk that is a view of a larger buffer (the transport reads into that buffer again).
   */
  takeAll(own = false): Uint8Array {
    const parts = this.#chunks.slice(this.#head);
    this.#chunks = [];
    this.#head = 0;
    this.#queued = 0;
    const only = parts.length === 1 ? (parts[0] as Uint8Array) : undefined;
    if (own && only !== undefined && only.byteLength !== only.buffer.byteLength) return only.slice();
    return concat(parts);
  }

  /** The chunks in order, as they arrive. */
  async *chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      if (this.#head < this.#chunks.length) {
        const c = this.#chunks[this.#head] as Uint8Array;
        this.#chunks[this.#head++] = EMPTY;
        if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
          this.#chunks = this.#chunks.slice(this.#head);
          this.#head = 0;
        }
        this.#queued -= c.length;
        if (this.#paused && this.#queued < LOW_WATER) {
          this.#paused = false;
          this.#control.resume();
        }
        yield c;
        continue;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#done) return;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Memory for a joined body, filled right after: on Node, not zero-filled first (one pass over the
 * memory instead of two), handed out as a plain Uint8Array, never a Buffer (whose slice() would
 * not copy). Elsewhere an ordinary Uint8Array.
 */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array } }).Buffer;
function allocForFill(n: number): Uint8Array {
  if (NodeBuffer === undefined || n < 4096) return new Uint8Array(n);
  const b = NodeBuffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** Joins byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = allocForFill(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
