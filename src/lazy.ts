// Modules loaded on first use: what a program may never touch (Digest auth, proxies, multipart,
// the fetch exchange) and what only runs once a request goes out (connections, the receiving
// side) stay out of what loads with reqwire. Bundlers put each in a chunk of its own.
import { RequestException } from "./errors.js";

/** Starts (or joins) the load; `loaded` is the module once it is in, for callers that cannot wait. */
export interface Lazy<T> {
  (): Promise<T>;
  loaded?: T;
}

/**
 * `load` must be a literal `() => import("./file.js")` for bundlers to see the chunk; `what` names
 * the code for the error when it cannot be loaded (a RequestException whose cause is the loader's
 * error). A failed load is tried again on the next call.
 */
export function lazy<T>(load: () => Promise<T>, what: string): Lazy<T> {
  let pending: Promise<T> | undefined;
  const get: Lazy<T> = () => {
    pending ??= load().then(
      (m) => {
        get.loaded = m;
        return m;
      },
      (err: unknown) => {
        pending = undefined;
        const reason = err instanceof Error ? err.message : String(err);
        throw new RequestException(
          `reqwire could not load its ${what} code (${reason}): is a chunk of dist/ missing?`,
          {
            cause: err,
          },
        );
      },
    );
    return pending;
  };
  return get;
}
