// The error of a request whose AbortSignal fired, wherever the abort is noticed (the pool's queue,
// a connection, fetch, a retry's wait): RequestAborted for the caller's signal, or a Timeout when
// the signal is the session's deadline for the whole call (`timeout: { total }`).
import { RequestAborted, type RequestException, Timeout } from "../errors.js";

/** The abort reason of a call's total deadline. */
export class TotalDeadline {
  constructor(readonly seconds: number) {}
}

/** The error for an abort with `reason`, noticed while `phase` ran ("reading the body"…). */
export function abortError(reason: unknown, phase: string): RequestException {
  if (reason instanceof TotalDeadline) {
    return new Timeout(`the request took longer than its total timeout of ${reason.seconds} s (while ${phase})`);
  }
  return new RequestAborted("request aborted", { cause: reason });
}

/** The error for a request whose AbortSignal fired (`cause`: the signal's reason), noticed while `phase` ran. */
export function requestAborted(signal: AbortSignal | undefined, phase: string): RequestException {
  return abortError(signal?.reason, phase);
}
