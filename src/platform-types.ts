// The platform's types, as reqwire's published API names them. Each is the runtime's own type where
// the user's compilation declares that global (lib "dom", @types/node, Deno's, Bun's or the Workers'
// types) and a structural stand-in where it does not (lib "es2022" or "esnext" alone), so that the
// published types compile under any lib. Inside reqwire, compiled with DOM, each is exactly the
// global type. Types only: nothing here exists at run time.

/** The instance type of the global class `Name` where it is declared, else `Fallback`. */
type Instance<Name extends string, Fallback> = typeof globalThis extends { [K in Name]: { prototype: infer T } }
  ? T
  : Fallback;

interface AbortSignalShape {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

interface URLShape {
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  toString(): string;
}

interface URLSearchParamsShape {
  append(name: string, value: string): void;
  getAll(name: string): string[];
  forEach(callback: (value: string, name: string) => void): void;
}

interface HeadersShape {
  get(name: string): string | null;
  has(name: string): boolean;
  forEach(callback: (value: string, name: string) => void): void;
}

interface BlobShape {
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

interface ReadableStreamShape<T> {
  readonly locked: boolean;
  getReader(): {
    read(): Promise<{ done: boolean; value?: T }>;
    releaseLock(): void;
    cancel(reason?: unknown): Promise<void>;
  };
  cancel(reason?: unknown): Promise<void>;
}

/** What reqwire gives fetch (src/http/fetch.ts). */
interface FetchInitShape {
  method: string;
  headers: HeadersShape;
  body?: unknown;
  signal: AbortSignalShape;
  redirect: "follow" | "manual";
  duplex?: "half";
}

/** What reqwire reads of fetch's Response (src/http/fetch.ts). */
interface FetchResponseShape {
  readonly type: string;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: HeadersShape;
  readonly body: ReadableStreamShape<Uint8Array> | null;
}

type FetchShape = (input: string, init?: FetchInitShape) => Promise<FetchResponseShape>;

/** An AbortSignal. */
export type AbortSignalLike = Instance<"AbortSignal", AbortSignalShape>;
/** A WHATWG URL. */
export type URLLike = Instance<"URL", URLShape>;
/** A URLSearchParams. */
export type URLSearchParamsLike = Instance<"URLSearchParams", URLSearchParamsShape>;
/** A fetch Headers object. */
export type HeadersLike = Instance<"Headers", HeadersShape>;
/** A Blob (or File). */
export type BlobLike = Instance<"Blob", BlobShape>;
/** A ReadableStream whose chunks are `T` (checked by the stand-in too where the global is declared). */
export type ReadableStreamLike<T> = Instance<"ReadableStream", unknown> & ReadableStreamShape<T>;
/** The runtime's fetch function. */
type FetchFunction = typeof globalThis extends { fetch: infer F } ? F : FetchShape;
/** What fetch takes as its second argument (RequestInit). */
export type FetchInit = FetchFunction extends (input: never, init?: infer I) => unknown ? NonNullable<I> : never;
/** What fetch resolves to (its Response). */
export type FetchResponse = FetchFunction extends (...args: never[]) => Promise<infer R> ? R : FetchResponseShape;
/** A fetch as reqwire calls it: a URL string and the init reqwire makes (the runtime's fetch is one). */
export type FetchLike = (input: string, init: FetchInit) => Promise<FetchResponse>;
/** A compiled WebAssembly module. */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;

/** The type of `Symbol.dispose` where the compilation declares it (lib "esnext.disposable", @types/node). */
type DisposeKey = SymbolConstructor extends { readonly dispose: infer S extends symbol } ? S : never;
/** `[Symbol.dispose](): void` where the symbol is declared (`using`), nothing where it is not. */
export type DisposableLike = { [K in DisposeKey]: () => void };
