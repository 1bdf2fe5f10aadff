// Modules loaded on first use: what a program may never touch (Digest auth, proxies, multipart,
// the fetch exchange) and what only runs once a request goes out (connections, the receiving
// side) stay out of what loads with reqwire. Bundlers put each in a chunk of its own.
import { RequestException } from "./errors.js";

/** Starts (or joins) the load; `loaded` is the module once it is in, for callers that cannot wait. */
export interface Lazy<T> {
  (): Promise<T>;
  loaded?: T;
  /** `fn(module)`: at once when the module is in, else once it is (no extra step after the first load). */
  use<R>(fn: (module: T) => R): R | Promise<Awaited<R>>;
}

/**
 * `load` must be a literal `() => import("./file.js")` for bundlers to see the chunk; `what` names
 * the code for the error when it cannot be loaded: a RequestException by default, or what `failure`
 * makes of the message, with the loader's error as the cause. A failed load is tried again on the
 * next call.
 */
export function lazy<T>(
  load: () => Promise<T>,
  what: string,
  failure: (message: string, cause: unknown) => Error = (message, cause) => new RequestException(message, { cause }),
): Lazy<T> {
  let pending: Promise<T> | undefined;
  const get = (() => {
    pending ??= load().then(
      (m) => {
        get.loaded = m;
        return m;
      },
      (err: unknown) => {
        pending = undefined;
        const reason = err instanceof Error ? err.message : String(err);
        throw failure(`reqwire could not load its ${what} code (${reason}): is a chunk of dist/ missing?`, err);
      },
    );
    return pending;
  }) as Lazy<T>;
  get.use = <R>(fn: (module: T) => R) =>
    get.loaded !== undefined ? fn(get.loaded) : (get().then(fn) as Promise<Awaited<R>>);
  return get;
}
