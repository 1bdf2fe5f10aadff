// Retry, as in urllib3.util.Retry (2.x): counters for connect, read, status and other failures
// under a total, the methods that may be retried, the statuses that force a retry, Retry-After,
// and exponential backoff. Immutable: increment() returns a new Retry or throws RetryError.
//
// The caller's loop, in short:
//
//   on an error of kind k:   if (!retry.mayRetryError(method, k)) throw err;
//                            retry = retry.increment({ method, url, error: err, kind: k });
//                            await sleep(retry.sleepMs());
//   on a response r:         if (retry.isRetry(method, r.status_code, r.headers.has("retry-after"))) {
//                              try { retry = retry.increment({ method, url, status: r.status_code }); }
//                              catch (e) { if (retry.raise_on_status) throw e; return r; }
//                              await sleep(retry.sleepMs(r.headers.get("retry-after")));
//                            }

import {
  ConnectTimeout,
  ProtocolError,
  ReadTimeout,
  RemoteDisconnected,
  type RequestErrorOptions,
  RetryError,
} from "../../errors.js";
import type { PreparedRequest } from "../request.js";
import type { Response } from "../response.js";

/**
 * The kind of a failed attempt:
 * - "connect": nothing reached the server (refused, unreachable, connect timeout);
 * - "read": the request was sent, the response did not come (read timeout, broken response);
 * - "other": anything else that may have reached the server.
 */
export type RetryFailure = "connect" | "read" | "other";

/** One counted attempt, oldest first in `Retry.history`. */
export interface RetryHistoryEntry {
  method: string;
  url: string;
  error?: unknown;
  status?: number;
}

export interface RetryOptions {
  /** Retries of any kind; default 10. `null`: no limit here (the other counters still apply). */
  total?: number | null;
  /**
   * Retries after connect errors; default `null` (only `total` limits them). `false`: never
   * retried, `increment` rethrows the error itself (urllib3's `connect=False`).
   */
  connect?: number | false | null;
  /**
   * Retries after read errors; default `null`. `false`: never retried, `increment` rethrows the
   * error itself instead of a RetryError (urllib3's `read=False`, what requests uses by default).
   */
  read?: number | false | null;
  /** Retries after a status in `status_forcelist` (or a Retry-After status); default `null`. */
  status?: number | null;
  /** Retries after other errors; default `null`. */
  other?: number | null;
  /** Seconds; the n-th consecutive retry waits backoff_factor × 2^(n−1), none for the first. Default 0. */
  backoff_factor?: number;
  /** Seconds: the cap on one backoff (jitter included); default 120. */
  backoff_max?: number;
  /** Seconds: a random amount in [0, backoff_jitter) added to a backoff; default 0. */
  backoff_jitter?: number;
  /** Statuses that force a retry for an allowed method; default none. */
  status_forcelist?: Iterable<number>;
  /**
   * Methods that may be retried after a read or other error or a status; default
   * `Retry.DEFAULT_ALLOWED_METHODS`. `null`: any method. An empty list: no method.
   */
  allowed_methods?: Iterable<string> | null;
  /** Whether to honour Retry-After (for the wait, and to retry `retry_after_status_codes`); default true. */
  respect_retry_after_header?: boolean;
  /** Statuses retried when they carry Retry-After; default 413, 429, 503. */
  retry_after_status_codes?: Iterable<number>;
  /** Seconds: the cap on a Retry-After wait; default 21600 (6 hours, as urllib3). */
  retry_after_max?: number;
  /**
   * When status retries run out: true (default) throw RetryError; false return the last
   * response (the caller catches the RetryError and checks this flag).
   */
  raise_on_status?: boolean;
  /** The attempts counted so far (urllib3's `history`); normally left to `increment`. */
  history?: ReadonlyArray<RetryHistoryEntry>;
  /** Source of randomness in [0, 1) for the jitter; default Math.random (tests inject their own). */
  random?: () => number;
}

/** What `increment` is told about one failed attempt. */
export interface RetryAttempt {
  method: string;
  url: string;
  /** The error, for a failure without a response. */
  error?: unknown;
  /**
   * The kind of the error. When omitted with an error: ConnectTimeout ⇒ "connect"; ReadTimeout,
   * ProtocolError, RemoteDisconnected ⇒ "read"; anything else ⇒ "other".
   */
  kind?: RetryFailure;
  /** The status of a response being retried (with no error). */
  status?: number;
  /** Attached to the RetryError when retries run out. */
  request?: PreparedRequest;
  /** Attached to the RetryError when retries run out. */
  response?: Response;
}

const DEFAULT_TOTAL = 10;
const DEFAULT_BACKOFF_MAX = 120;
const DEFAULT_RETRY_AFTER_MAX = 21_600;

function checkCount(name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new RangeError(`Retry: ${name} must be an integer or null, got ${String(value)}`);
  }
  return value;
}

/** A counter that may also be false (connect, read). */
function checkCountOrFalse(name: string, value: unknown): number | false | null {
  return value === false ? false : checkCount(name, value);
}

function checkSeconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new RangeError(`Retry: ${name} must be a number of seconds ≥ 0, got ${value}`);
  }
  return value;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message === "" ? error.name : `${error.name}: ${error.message}`;
  return String(error);
}

function inferKind(error: unknown): RetryFailure {
  if (error instanceof ConnectTimeout) return "connect";
  if (error instanceof ReadTimeout || error instanceof ProtocolError || error instanceof RemoteDisconnected) {
    return "read";
  }
  return "other";
}

let NO_RETRIES: Retry | undefined;

export class Retry {
  /** The idempotent methods, retried by default: HEAD GET PUT DELETE OPTIONS TRACE. */
  static readonly DEFAULT_ALLOWED_METHODS: ReadonlySet<string> = new Set([
    "HEAD",
    "GET",
    "PUT",
    "DELETE",
    "OPTIONS",
    "TRACE",
  ]);
  /** Statuses retried when they carry Retry-After: 413, 429, 503. */
  static readonly RETRY_AFTER_STATUS_CODES: ReadonlySet<number> = new Set([413, 429, 503]);

  readonly total: number | null;
  readonly connect: number | false | null;
  readonly read: number | false | null;
  readonly status: number | null;
  readonly other: number | null;
  readonly backoff_factor: number;
  readonly backoff_max: number;
  readonly backoff_jitter: number;
  readonly status_forcelist: ReadonlySet<number>;
  /** Upper-case method names; `null` = any method. */
  readonly allowed_methods: ReadonlySet<string> | null;
  readonly respect_retry_after_header: boolean;
  readonly retry_after_status_codes: ReadonlySet<number>;
  readonly retry_after_max: number;
  readonly raise_on_status: boolean;
  readonly history: ReadonlyArray<RetryHistoryEntry>;
  readonly #random: () => number;

  constructor(options: RetryOptions = {}) {
    this.total = checkCount("total", options.total === undefined ? DEFAULT_TOTAL : options.total);
    this.connect = checkCountOrFalse("connect", options.connect);
    this.read = checkCountOrFalse("read", options.read);
    this.status = checkCount("status", options.status);
    this.other = checkCount("other", options.other);
    this.backoff_factor = checkSeconds("backoff_factor", options.backoff_factor, 0);
    this.backoff_max = checkSeconds("backoff_max", options.backoff_max, DEFAULT_BACKOFF_MAX);
    this.backoff_jitter = checkSeconds("backoff_jitter", options.backoff_jitter, 0);
    this.retry_after_max = checkSeconds("retry_after_max", options.retry_after_max, DEFAULT_RETRY_AFTER_MAX);
    this.status_forcelist = new Set(options.status_forcelist ?? []);
    const methods = options.allowed_methods === undefined ? Retry.DEFAULT_ALLOWED_METHODS : options.allowed_methods;
    this.allowed_methods = methods === null ? null : new Set(Array.from(methods, (m) => m.toUpperCase()));
    this.respect_retry_after_header = options.respect_retry_after_header ?? true;
    this.retry_after_status_codes = new Set(options.retry_after_status_codes ?? Retry.RETRY_AFTER_STATUS_CODES);
    this.raise_on_status = options.raise_on_status ?? true;
    this.history = Object.freeze([...(options.history ?? [])]);
    this.#random = options.random ?? Math.random;
  }

  /**
   * requests' `max_retries` (HTTPAdapter): a Retry is used as it is; `undefined`, `null` or 0 is
   * requests' default, `Retry({ total: 0, read: false })` — no retries, and a read error comes back
   * as itself; any other count n is `Retry.from_int(n)`, i.e. `Retry({ total: n })` with the
   * defaults (connect errors retried for every method, read errors for the allowed methods,
   * Retry-After statuses honoured).
   */
  static from(retries: number | Retry | null | undefined): Retry {
    if (retries instanceof Retry) return retries;
    if (retries === undefined || retries === null || retries === 0) {
      NO_RETRIES ??= new Retry({ total: 0, read: false });
      return NO_RETRIES; // immutable: one is enough
    }
    if (!Number.isInteger(retries) || retries < 0) {
      throw new RangeError(`retries must be a Retry or a whole number ≥ 0, got ${retries}`);
    }
    return new Retry({ total: retries });
  }

  /** The options that rebuild this Retry (history and randomness included). */
  #options(): RetryOptions {
    return { ...this, random: this.#random };
  }

  #methodAllowed(method: string): boolean {
    return this.allowed_methods === null || this.allowed_methods.has(method.toUpperCase());
  }

  /**
   * Whether a response with this status should be retried for this method: the method must be
   * allowed, and the status in `status_forcelist`, or — when Retry-After is respected and the
   * response carries it — in `retry_after_status_codes` (unless `total` is 0).
   */
  isRetry(method: string, status: number, hasRetryAfter: boolean): boolean {
    if (!this.#methodAllowed(method)) return false;
    if (this.status_forcelist.has(status)) return true;
    return (
      this.total !== 0 && this.respect_retry_after_header && hasRetryAfter && this.retry_after_status_codes.has(status)
    );
  }

  /**
   * Whether an error of this kind may be retried for this method: "connect" always (nothing
   * reached the server) unless `connect` is false; "read" for allowed methods unless `read` is
   * false; "other" for allowed methods. Counters are not looked at: `increment` does that.
   */
  mayRetryError(method: string, kind: RetryFailure): boolean {
    switch (kind) {
      case "connect":
        return this.connect !== false;
      case "read":
        return this.read !== false && this.#methodAllowed(method);
      case "other":
        return this.#methodAllowed(method);
    }
  }

  /** Whether a counter has gone below zero. */
  get isExhausted(): boolean {
    for (const count of [this.total, this.connect, this.read, this.status, this.other]) {
      if (typeof count === "number" && count < 0) return true;
    }
    return false;
  }

  /**
   * Counts one failed attempt: `total` and the counter of its kind (connect / read / other for an
   * error, status for a status) go down by one. Returns the next Retry, or throws RetryError —
   * `cause` the attempt's error, or a message naming the status — when a counter goes below zero.
   * An error that may not be retried (see `mayRetryError`) is rethrown as it is.
   */
  increment(attempt: RetryAttempt): Retry {
    const { method, url, error, status } = attempt;
    const isError = error !== undefined || attempt.kind !== undefined;
    const kind = attempt.kind ?? inferKind(error);
    const next = this.#options();
    const less = <T extends number | false | null>(n: T): T => (typeof n === "number" ? n - 1 : n) as T;

    if (isError) {
      if (!this.mayRetryError(method, kind)) {
        throw (
          error ?? new RetryError(`A ${kind} error is not retried for ${method} ${url}`, this.#errorOptions(attempt))
        );
      }
      if (kind === "connect") next.connect = less(this.connect);
      else if (kind === "read") next.read = less(this.read);
      else next.other = less(this.other);
    } else if (status !== undefined) {
      next.status = less(this.status);
    }
    next.total = less(this.total);

    const entry: RetryHistoryEntry = { method, url };
    if (error !== undefined) entry.error = error;
    if (status !== undefined && !isError) entry.status = status;
    next.history = [...this.history, entry];

    const retry = new Retry(next);
    if (retry.isExhausted) {
      const reason = isError
        ? describe(error ?? `${kind} error`)
        : status !== undefined
          ? `too many ${status} error responses`
          : "too many error responses";
      throw new RetryError(`Max retries exceeded with url: ${url} (Caused by ${reason})`, this.#errorOptions(attempt));
    }
    return retry;
  }

  #errorOptions(attempt: RetryAttempt): RequestErrorOptions {
    return { cause: attempt.error, request: attempt.request, response: attempt.response };
  }

  /**
   * Seconds of backoff before the next attempt, as urllib3 2.x's get_backoff_time: with n the
   * number of attempts counted so far (all consecutive: there are no redirects in the history),
   * 0 when n ≤ 1, else backoff_factor × 2^(n−1) plus random [0, backoff_jitter), capped at
   * backoff_max.
   */
  backoffSeconds(): number {
    const n = this.history.length;
    if (n <= 1) return 0;
    let value = this.backoff_factor * 2 ** (n - 1);
    if (this.backoff_jitter !== 0) value += this.#random() * this.backoff_jitter;
    return Math.max(0, Math.min(this.backoff_max, value));
  }

  /**
   * Milliseconds to wait before the next attempt: the response's Retry-After (seconds or
   * HTTP-date, relative to `now`, capped at `retry_after_max`) when respected, given, valid and
   * more than 0 — as urllib3, a zero or past Retry-After falls back to the backoff; otherwise
   * `backoffSeconds()` in milliseconds. An invalid Retry-After is ignored (urllib3 raises).
   */
  sleepMs(retryAfter?: string | null, now: number = Date.now()): number {
    if (this.respect_retry_after_header && retryAfter !== undefined && retryAfter !== null) {
      const ms = parseRetryAfter(retryAfter, now);
      if (ms !== undefined && ms > 0) return Math.min(ms, this.retry_after_max * 1000);
    }
    return this.backoffSeconds() * 1000;
  }

  toString(): string {
    const show = (n: number | false | null) => (n === null ? "None" : n === false ? "False" : String(n));
    return `Retry(total=${show(this.total)}, connect=${show(this.connect)}, read=${show(this.read)}, status=${show(this.status)}, other=${show(this.other)})`;
  }
}

// ---- Retry-After ----------------------------------------------------------------------------

const MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";
// One pattern for the three forms RFC 9110 §5.6.7 has a recipient accept, leniently as urllib3
// (email.utils) does: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" (also with a numeric zone or no
// weekday), RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994".
const HTTP_DATE =
  /^(?:[a-z]+,?\s+)?(?:(\d{1,2})([\s-])([a-z]{3})\2(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(gmt|utc|ut|z|[+-]\d{4})|([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(\d{4}))$/i;

/** The time an HTTP-date names (IMF-fixdate, RFC 850, asctime), in ms since the epoch. */
function parseHttpDate(text: string, now: number): number | undefined {
  const m = HTTP_DATE.exec(text);
  if (m === null) return undefined;
  // asctime has its fields in another order, and no zone
  const [day, monthName, y, h, mi, s, zone] =
    m[1] === undefined ? [m[10], m[9], m[14], m[11], m[12], m[13], "gmt"] : [m[1], m[3], m[4], m[5], m[6], m[7], m[8]];
  let year = Number(y);
  if ((y as string).length === 2) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century
    const current = new Date(now).getUTCFullYear();
    year += Math.floor(current / 100) * 100;
    if (year > current + 50) year -= 100;
  }
  const mon = MONTHS.indexOf((monthName as string).toLowerCase()) / 3;
  const d = Number(day);
  const hh = Number(h);
  const mm = Number(mi);
  const ss = Number(s ?? 0);
  if (!Number.isInteger(mon) || hh > 23 || mm > 59 || ss > 60 || d < 1) return undefined;
  const date = new Date(Date.UTC(year, mon, d, hh, mm, Math.min(ss, 59)));
  // Date.UTC maps years 0..99 to 1900..1999; set the year again to keep it as given
  date.setUTCFullYear(year, mon, d);
  if (date.getUTCDate() !== d) return undefined; // 31 Feb and the like
  const sign = (zone as string)[0];
  if (sign !== "+" && sign !== "-") return date.getTime();
  const zh = Number(zone?.slice(1, 3));
  const zm = Number(zone?.slice(3, 5));
  if (zm > 59) return undefined;
  return date.getTime() - (sign === "-" ? -1 : 1) * (zh * 60 + zm) * 60_000;
}

/**
 * Parses a Retry-After value — delay-seconds ("120") or an HTTP-date — to milliseconds from
 * `now` (a date in the past gives 0), or `undefined` when it is neither.
 */
export function parseRetryAfter(value: string, now: number = Date.now()): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text, now);
  if (at === undefined) return undefined;
  return Math.max(0, at - now);
}
