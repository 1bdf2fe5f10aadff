// The error of a request whose AbortSignal fired, wherever the abort is noticed (the pool's queue,
// a connection, fetch, a retry's wait).
import { RequestAborted } from "../errors.js";

/** The RequestAborted for a request whose AbortSignal fired (`cause`: the signal's reason). */
export function requestAborted(signal: AbortSignal | undefined): RequestAborted {
  return new RequestAborted("request aborted", { cause: signal?.reason });
}
