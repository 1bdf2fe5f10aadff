// What reqwire needs from the runtime it runs in, set once by the runtime's entry file
// (src/entry/*.ts): how to open connections, which content codings it can decompress and how,
// how to read a PEM file, and how to keep a timer from holding the process open. Every other
// module is runtime-neutral and asks here.
import type { ExchangeTransport, Transport } from "../transport/types.js";

/** A content coding a runtime may decompress. */
export type Coding = "gzip" | "deflate" | "br" | "zstd";

/** A streaming decompressor; output goes to the sink given when it was opened. */
export interface Inflater {
  /** Resolves once `chunk` has been consumed and its output delivered. */
  write(chunk: Uint8Array): Promise<void>;
  /** Resolves after the last output; rejects if the compressed stream is incomplete. */
  finish(): Promise<void>;
  /** Stops at once: pending calls reject, no more output is delivered. */
  close(): void;
}

/** Opens a decompressor for `kind`; `raw` selects deflate without the zlib wrapper. */
export type OpenInflater = (kind: Coding, raw: boolean, sink: (out: Uint8Array) => void) => Inflater;

/** The runtime's decompressors. */
export interface Decompression {
  /** The codings they accept, in Accept-Encoding order. */
  readonly codings: readonly Coding[];
  /** Loads them (with the first body that has a Content-Encoding: most programs never need them). */
  load(): Promise<OpenInflater>;
}

/** One runtime's capabilities. */
export interface Platform {
  /** The runtime's name, for error messages ("node", "deno", "bun", "workerd", "fetch"). */
  readonly name: string;
  /** Sockets (HTTP/1.1 runs in reqwire), or whole exchanges handed to the runtime's fetch. */
  readonly transport: Transport | ExchangeTransport;
  readonly decompression: Decompression;
  /** Reads a text file; absent where there is no file system (PEM must then be given as text). */
  readonly readTextFile?: ((path: string) => string) | undefined;
  /** Reads an environment variable (proxies, .netrc, CA bundle when `trust_env`); absent where there is no environment. */
  readonly env?: ((name: string) => string | undefined) | undefined;
  /**
   * A string from UTF-16LE bytes, where the runtime has a fast one (Node's and Bun's Buffer): with
   * it, long UTF-8 text is decoded by the engine (src/core/text.ts), faster than TextDecoder.
   */
  readonly utf16le?: ((bytes: Uint8Array) => string) | undefined;
  /** Keeps a timer from holding the process open (idle keep-alive timers). */
  readonly unrefTimer?: ((timer: ReturnType<typeof setTimeout>) => void) | undefined;
}

let current: Platform | undefined;

/** Sets the runtime's capabilities; each entry file calls this once when it is imported. */
export function setPlatform(platform: Platform): void {
  current = platform;
}

/** The runtime's capabilities. */
export function platform(): Platform {
  if (current === undefined) {
    throw new Error("reqwire: no runtime entry was imported (import 'reqwire', not its internal files)");
  }
  return current;
}

/** The runtime reqwire was set up for: "node", "deno", "bun", "workerd" or "fetch". */
export function runtime(): string {
  return platform().name;
}

/** Lets a timer run without keeping the process alive, where the runtime can. */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const unref = current?.unrefTimer;
  if (unref !== undefined) unref(timer);
  else (timer as { unref?: () => void }).unref?.();
}

/** The Accept-Encoding to send: the codings this runtime decodes ("gzip, deflate, br" on Node 20). */
export function acceptEncoding(): string {
  return platform().decompression.codings.join(", ");
}
