// A transport that wraps another and watches the wire from the client side: which request heads
// were written (by X-Id, so that a request sent twice shows even when the server never read the
// first copy) and how many sockets were opened and closed (idle pooled sockets are unref'ed, so
// process.getActiveResourcesInfo() does not list them: this count is what finds a leak).
import type { SocketHandlers, Transport, TransportSocket } from "../../src/transport/types.js";

export interface WireStats {
  /** Request heads written, per request number (the number at the end of the X-Id). */
  sent: Uint8Array;
  /** Sockets handed to the client. */
  opened: number;
  /** Of those, sockets that reported `close`. */
  closed: number;
  /** Sockets not closed yet. */
  readonly live: Set<TransportSocket>;
}

/** Stats for requests numbered 0..capacity-1. */
export function newWireStats(capacity: number): WireStats {
  return { sent: new Uint8Array(capacity), opened: 0, closed: 0, live: new Set() };
}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.1\r\n/;
const X_ID = /\r\nX-Id: [^\r\n]*-(\d+)\r\n/i;

class WatchedSocket implements TransportSocket {
  readonly #inner: TransportSocket;
  readonly #stats: WireStats;
  #closed = false;

  constructor(inner: TransportSocket, stats: WireStats) {
    this.#inner = inner;
    this.#stats = stats;
    stats.opened++;
    stats.live.add(this);
  }

  #note(data: Uint8Array | undefined): void {
    if (data === undefined || data.length < 16 || data[0] === undefined || data[0] < 0x41 || data[0] > 0x5a) return;
    const text = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, 8192)).toString("latin1");
    if (!REQUEST_LINE.test(text)) return;
    const n = Number(X_ID.exec(text)?.[1] ?? -1);
    const sent = this.#stats.sent;
    if (n >= 0 && n < sent.length) sent[n] = Math.min(255, (sent[n] as number) + 1);
  }

  write(data: Uint8Array): boolean {
    this.#note(data);
    return this.#inner.write(data);
  }
  writev(chunks: readonly Uint8Array[]): boolean {
    this.#note(chunks[0]);
    return this.#inner.writev(chunks);
  }
  end(): void {
    this.#inner.end();
  }
  destroy(error?: Error): void {
    this.#inner.destroy(error);
  }
  pause(): void {
    this.#inner.pause();
  }
  resume(): void {
    this.#inner.resume();
  }
  ref(): void {
    this.#inner.ref();
  }
  unref(): void {
    this.#inner.unref();
  }
  setHandlers(handlers: SocketHandlers): void {
    this.#inner.setHandlers({
      ...handlers,
      close: () => {
        if (!this.#closed) {
          this.#closed = true;
          this.#stats.closed++;
          this.#stats.live.delete(this);
        }
        handlers.close();
      },
    });
  }
  get destroyed(): boolean {
    return this.#inner.destroyed;
  }
}

/** `base`, with every socket watched into `stats`. */
export function watchedTransport(base: Transport, stats: WireStats): Transport {
  return {
    connect: (options) => base.connect(options).then((socket) => new WatchedSocket(socket, stats)),
  };
}
