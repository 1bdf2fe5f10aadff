// A call bounded by `timeout: { total }`: its exchanges, its waits (for a connection, before a
// retry) and a streamed body are aborted when the time runs out, each failing with a Timeout that
// names what was running. Loaded by the first call with a total timeout.
import { TotalDeadline } from "../../http/aborted.js";
import { unrefTimer } from "../../runtime/platform.js";
import type { RequestOptions, Timeouts } from "../options.js";
import type { Response } from "../response.js";

/** Runs `send` with options whose signal fires after `total` seconds (and the caller's signal). */
export function withinTotal(
  total: number,
  options: RequestOptions,
  stream: boolean,
  send: (options: RequestOptions) => Promise<Response>,
): Promise<Response> {
  if (typeof total !== "number" || !(total > 0)) {
    return Promise.reject(new TypeError(`timeout.total must be a positive number of seconds, got ${total}`));
  }
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TotalDeadline(total)), total * 1000);
  unrefTimer(timer);
  const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);
  const sent = send({ ...options, signal, timeout: { ...(options.timeout as Timeouts), total: null } });
  // a streamed body stays bounded until it is read; otherwise the call is over when it settles
  if (!stream) {
    const stop = () => clearTimeout(timer);
    sent.then(stop, stop);
  }
  return sent;
}
