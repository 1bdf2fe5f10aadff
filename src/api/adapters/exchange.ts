// One exchange of a request for a response, as both built-in adapters start it: its timeouts and
// limits from the send options, its upload progress, and a Receiver (receive.ts) given to a pool's
// connection or to fetch. The code that receives loads with the first exchange.

import type { Pool } from "../../http/pool.js";
import { lazy } from "../../lazy.js";
import { Retry } from "../call/retry.js";
import type { Timeouts } from "../options.js";
import type { Receiver } from "../receive.js";
import type { PreparedRequest } from "../request.js";
import type { Response } from "../response.js";
import type { SendOptions } from "./adapter.js";

type Receiving = typeof import("../receive.js");
/** The receiving side of an exchange (Response bodies, decoding): loaded by the first request. */
export const receiving = lazy(() => import("../receive.js"), "response");
/** Upload progress reports: loaded by the first request with on_upload_progress. */
export const uploadProgress = lazy(() => import("../body/upload-progress.js"), "upload progress");

/** Decoded bodies are refused beyond this by default (`max_decoded_size`). */
const DEFAULT_MAX_DECODED = 1024 * 1024 * 1024;

/**
 * Decoded bodies are refused beyond this many bytes per byte received, after their first MiB, by
 * default (`max_decompression_ratio`; the option's TSDoc says why 100).
 */
export const DEFAULT_MAX_DECOMPRESSION_RATIO = 100;

/** `max_decompression_ratio` as a number: Infinity for no limit. */
export function decompressionRatio(ratio: number | null | undefined): number {
  if (ratio === undefined) return DEFAULT_MAX_DECOMPRESSION_RATIO;
  if (ratio === null) return Number.POSITIVE_INFINITY;
  if (typeof ratio !== "number" || !(ratio > 0)) {
    throw new TypeError(`max_decompression_ratio must be a positive number, or null for no limit, got ${ratio}`);
  }
  return ratio;
}

/** Milliseconds per phase of one exchange (undefined: no limit). */
export interface ExchangeTimeouts {
  readonly connect: number | undefined;
  readonly read: number | undefined;
  readonly pool: number | undefined;
  readonly head: number;
}

/** A response head must arrive within this when no read or head timeout says otherwise. */
export const DEFAULT_HEAD_MS = 300_000;

const NO_TIMEOUTS: ExchangeTimeouts = Object.freeze({
  connect: undefined,
  read: undefined,
  pool: undefined,
  head: DEFAULT_HEAD_MS,
});

/** Seconds as milliseconds; null or undefined: no limit. */
function ms(name: string, s: number | null | undefined): number | undefined {
  if (s === null || s === undefined) return undefined;
  if (typeof s !== "number" || !(s > 0)) throw new TypeError(`${name} must be a positive number of seconds, got ${s}`);
  return s * 1000;
}

/** `timeout` (seconds: one number, `[connect, read]`, or by phase) as the exchange's milliseconds. */
export function timeouts(t: SendOptions["timeout"]): ExchangeTimeouts {
  if (t === undefined || t === null) return NO_TIMEOUTS;
  let connect: number | undefined;
  let read: number | undefined;
  let pool: number | undefined;
  let head: number | undefined;
  if (typeof t === "number") {
    connect = read = ms("timeout", t);
  } else if (Array.isArray(t)) {
    connect = ms("timeout", t[0]);
    read = ms("timeout", t[1]);
  } else if (typeof t === "object") {
    const o = t as Timeouts;
    connect = ms("timeout.connect", o.connect);
    read = ms("timeout.read", o.read);
    pool = ms("timeout.pool", o.pool);
    head = ms("timeout.head", o.head);
    ms("timeout.total", o.total); // checked here too; the session runs it
  } else {
    throw new TypeError(`timeout must be a number of seconds, [connect, read] or by phase, got ${typeof t}`);
  }
  return { connect, read, pool: pool ?? connect, head: head ?? read ?? DEFAULT_HEAD_MS };
}

/**
 * Whether what an exchange needs is loaded: the receiving side, and upload progress when asked
 * for. Otherwise the load to wait for before starting it.
 */
export function exchangeReady(options: SendOptions): Promise<unknown> | undefined {
  if (receiving.loaded === undefined) return receiving();
  if (options.on_upload_progress !== undefined && uploadProgress.loaded === undefined) return uploadProgress();
  return undefined;
}

/**
 * Sends a serialized head (and the body) on a pool's connection, or hands the request to fetch
 * (`to`). `exchangeReady` must have said ready.
 */
export function startExchange(
  prepared: PreparedRequest,
  options: SendOptions,
  head: Uint8Array,
  to: Pool | ((ex: Receiver) => void),
): Promise<Response> {
  const limits = timeouts(options.timeout);
  const declared = prepared._headers.get("content-length");
  let body = prepared.body;
  let bodyLength = body === null || body instanceof Uint8Array || declared === undefined ? undefined : Number(declared);
  const onUpload = options.on_upload_progress;
  if (onUpload !== undefined && body !== null) {
    const total = body instanceof Uint8Array ? body.length : bodyLength;
    body = (uploadProgress.loaded as typeof import("../body/upload-progress.js")).withUploadProgress(
      body,
      total,
      onUpload,
    );
    bodyLength = total;
  }

  return new Promise<Response>((resolve, reject) => {
    const { Receiver } = receiving.loaded as Receiving;
    const r = new Receiver(prepared, resolve, reject);
    r.stream = options.stream;
    r.maxBody = options.max_body_size ?? Number.POSITIVE_INFINITY;
    r.maxDecoded = options.max_decoded_size ?? DEFAULT_MAX_DECODED;
    r.maxRatio = decompressionRatio(options.max_decompression_ratio);
    r.head = head;
    r.body = body;
    r.bodyLength = bodyLength;
    r.expectHead = prepared.method === "HEAD";
    r.readTimeout = limits.read;
    r.headTimeout = limits.head;
    r.poolTimeout = limits.pool;
    r.signal = options.signal;
    r.connectTimeout = limits.connect;
    r.replayable = prepared.replayable;
    // a stale keep-alive connection is retried for the idempotent methods only (never POST or PATCH)
    r.retryOnStale = Retry.DEFAULT_ALLOWED_METHODS.has(prepared.method) && prepared.replayable;
    r.onDownloadProgress = options.on_download_progress;
    if (typeof to !== "function") to.dispatch(r);
    else to(r);
  });
}
