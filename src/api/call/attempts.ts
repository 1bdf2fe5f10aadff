// What a request goes through when it has hooks, retries or Digest auth (the session's plain path
// takes one step instead): attempts until a response is final — retries of errors and statuses
// as urllib3 counts them, one answer to a Digest challenge — then the response hooks and the
// cookies of every response. Loaded by the first request that needs it.
import { ConnectionError, ReadTimeout, RequestException, RetryError } from "../../errors.js";
import { requestAborted } from "../../http/aborted.js";
import { connectionCode } from "../../http/agent.js";
import { HTTPDigestAuth } from "../auth/digest.js";
import type { RequestOptions } from "../options.js";
import { type PreparedRequest, requestTarget } from "../request.js";
import type { Response } from "../response.js";
import type { Settings } from "../settings.js";
import type { Call } from "./call.js";
import { leavesOrigin } from "./redirects.js";
import { Retry, type RetryFailure } from "./retry.js";

const NO_RETRIES = Retry.from(0);

/** Waits `ms`, or rejects with RequestAborted when the signal fires. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 && signal?.aborted !== true) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(requestAborted(signal, "waiting to retry"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(requestAborted(signal, "waiting to retry"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Reads (or gives up) the body of a response that is not handed to the caller. */
export async function release(r: Response): Promise<void> {
  try {
    await r.read();
  } catch {
    r.close();
  }
}

/** How a failed attempt counts for retries. */
function failureKind(err: RequestException): RetryFailure | undefined {
  // only a pool makes connect failures: none was made if its code never loaded
  if (connectionCode.loaded?.isConnectFailure(err) === true) return "connect";
  if (err instanceof ReadTimeout || err instanceof ConnectionError) return "read";
  return undefined; // not retried (bad input, decoding, limits, aborts)
}

/** One request without following redirects: retries and Digest, then hooks and cookies. */
export async function sendOne(
  call: Call,
  prepared: PreparedRequest,
  settings: Settings,
  options: RequestOptions,
): Promise<Response> {
  let r = await attempts(call, prepared, settings, options);
  for (const hook of settings.hooks) r = (await hook(r)) ?? r;
  for (const x of r.history) call.keepCookies(x);
  call.keepCookies(r);
  return r;
}

/** Attempts until a response is final: retries (errors and statuses) and one Digest answer. */
async function attempts(
  call: Call,
  first: PreparedRequest,
  settings: Settings,
  options: RequestOptions,
): Promise<Response> {
  let prepared = first;
  let retry = settings.retries;
  const digest = settings.auth instanceof HTTPDigestAuth ? settings.auth : undefined;
  let answered = false;
  const earlier: Response[] = [];
  const { method } = prepared;
  for (;;) {
    let r: Response;
    try {
      r = await call.exchange(prepared, settings, options);
    } catch (err) {
      if (!(err instanceof RequestException)) throw err;
      const kind = failureKind(err);
      if (
        retry === NO_RETRIES ||
        kind === undefined ||
        !retry.mayRetryError(method, kind) ||
        (kind !== "connect" && !prepared.replayable)
      ) {
        throw err;
      }
      // out of retries: RetryError, with the last error as its cause
      retry = retry.increment({ method, url: prepared.url, error: err, kind, request: prepared });
      await sleep(retry.sleepMs(), options.signal);
      continue;
    }
    if (retry.isRetry(method, r.status_code, r.headers.has("retry-after")) && prepared.replayable) {
      let next: Retry;
      try {
        next = retry.increment({ method, url: prepared.url, status: r.status_code });
      } catch (err) {
        if (err instanceof RetryError && !retry.raise_on_status) return r;
        if (err instanceof RequestException) err.response ??= r;
        await release(r);
        throw err;
      }
      retry = next;
      await release(r);
      await sleep(retry.sleepMs(r.headers.get("retry-after")), options.signal);
      continue;
    }
    // a challenge is answered only on the origin the credentials were given for: a redirect to
    // another host gets its 401 back, not a hash of the password (requests' rebuild_auth rule)
    if (
      digest !== undefined &&
      r.status_code === 401 &&
      prepared.replayable &&
      !leavesOrigin(call.origin, prepared._url)
    ) {
      const challenge = r.headers.get("www-authenticate");
      if (challenge !== undefined && (!answered || (await digest.isStale(challenge)))) {
        const value = await digest.challenge(prepared.method, requestTarget(prepared._url), challenge);
        if (value !== undefined) {
          answered = true;
          await release(r);
          call.keepCookies(r);
          earlier.push(r);
          prepared = prepared.copy();
          prepared._headers.set("Authorization", value);
          if (!prepared._explicitCookie) {
            const cookie = call.cookieHeader(prepared._url);
            if (cookie !== undefined) prepared._headers.set("Cookie", cookie);
          }
          continue;
        }
      }
    }
    if (earlier.length > 0) r.history = earlier.concat(r.history);
    return r;
  }
}
