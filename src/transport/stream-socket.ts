// A TransportSocket over a runtime's promise-based connection (Deno's Conn, workerd's Socket):
// one read loop that delivers chunks to the handlers (holding one back while paused), and one
// write loop over a queue, so write() can return at once and report backpressure like a Node
// socket does. Events are emitted the way node:net emits them: data*, end, then close.
import type { SocketHandlers, TransportSocket } from "./types.js";

/** What a runtime's connection must offer. */
export interface ByteStream {
  /** Reads the next bytes (any length), or null at end of stream. */
  read(): Promise<Uint8Array | null>;
  /** Writes all of `data`. */
  write(data: Uint8Array): Promise<void>;
  /** Half-closes the sending side. */
  closeWrite(): Promise<void>;
  /** Closes both sides at once. */
  close(): void;
  ref?(): void;
  unref?(): void;
  /** See TransportSocket.release. */
  release?(reusable: boolean): void;
}

const NOOP: SocketHandlers = { data() {}, end() {}, error() {}, close() {}, drain() {} };
/** Queued bytes above which write() asks the caller to wait for drain. */
const HIGH_WATER = 64 * 1024;
/** Buffers of a writev() up to this size are joined into one write. */
const JOIN_LIMIT = 16 * 1024;

export class StreamSocket implements TransportSocket {
  readonly #stream: ByteStream;
  #handlers: SocketHandlers = NOOP;
  #destroyed = false;
  #paused = false;
  #resumeWaiter: (() => void) | undefined;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #wantDrain = false;
  #ending = false;

  /** Present when the stream reuses its read memory. */
  readonly release: ((reusable: boolean) => void) | undefined;
  #handedOver = false;

  constructor(stream: ByteStream) {
    this.#stream = stream;
    this.release = stream.release === undefined ? undefined : (reusable) => stream.release?.(reusable);
    void this.#readLoop();
  }

  /** From inside a `data` handler: the loop reads nothing more (TLS takes the connection over). */
  handOver(): void {
    this.#handedOver = true;
  }

  /** handOver() was called: no read is in flight, and none will be made. */
  get handedOver(): boolean {
    return this.#handedOver;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  get pendingBytes(): number {
    return this.#queued;
  }

  setHandlers(handlers: SocketHandlers): void {
    this.#handlers = handlers;
  }

  async #readLoop(): Promise<void> {
    for (;;) {
      let chunk: Uint8Array | null;
      try {
        chunk = await this.#stream.read();
      } catch (err) {
        if (!this.#destroyed) this.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (this.#destroyed) return;
      // a chunk read while paused waits here until resume()
      while (this.#paused) {
        await new Promise<void>((resolve) => (this.#resumeWaiter = resolve));
        if (this.#destroyed) return;
      }
      if (chunk === null) {
        this.#handlers.end();
        this.destroy();
        return;
      }
      if (chunk.length > 0) this.#handlers.data(chunk);
      // the connection is someone else's now: no read of ours may be in flight
      if (this.#handedOver) return;
    }
  }

  write(data: Uint8Array): boolean {
    if (this.#destroyed || this.#ending) return false;
    if (data.length > 0) {
      this.#queue.push(data);
      this.#queued += data.length;
      if (!this.#writing) void this.#writeLoop();
    }
    if (this.#queued < HIGH_WATER) return true;
    this.#wantDrain = true;
    return false;
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    let total = 0;
    for (const c of chunks) total += c.length;
    if (chunks.length === 1 || total > JOIN_LIMIT) {
      let ok = true;
      for (const c of chunks) ok = this.write(c);
      return ok;
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    return this.write(joined);
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const chunk = this.#queue[0] as Uint8Array;
      try {
        await this.#stream.write(chunk);
      } catch (err) {
        this.#writing = false;
        if (!this.#destroyed) this.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (this.#destroyed) return;
      this.#queue.shift();
      this.#queued -= chunk.length;
    }
    this.#writing = false;
    if (this.#ending) {
      this.#stream.closeWrite().catch(() => {});
      return;
    }
    if (this.#wantDrain) {
      this.#wantDrain = false;
      this.#handlers.drain();
    }
  }

  end(): void {
    if (this.#destroyed || this.#ending) return;
    this.#ending = true;
    if (!this.#writing) this.#stream.closeWrite().catch(() => {});
  }

  destroy(error?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#queue.length = 0;
    this.#queued = 0;
    try {
      this.#stream.close();
    } catch {
      // already closed by the peer or the runtime
    }
    const wake = this.#resumeWaiter;
    this.#resumeWaiter = undefined;
    wake?.();
    // node:net reports error and close after the current call returns; so does this
    queueMicrotask(() => {
      if (error !== undefined) this.#handlers.error(error);
      this.#handlers.close();
    });
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const wake = this.#resumeWaiter;
    this.#resumeWaiter = undefined;
    wake?.();
  }

  ref(): void {
    this.#stream.ref?.();
  }

  unref(): void {
    this.#stream.unref?.();
  }
}
