// What a transport adapter is (requests' BaseAdapter: send a prepared request, close), what it is
// given with each request, the interceptors that wrap it, and how a session picks the adapter
// mounted for a URL (the longest matching prefix, case-insensitive).

import type { AbortSignalLike } from "../../platform-types.js";
import { Retry } from "../call/retry.js";
import type { RequestOptions } from "../options.js";
import type { Proxies } from "../proxy/env.js";
import type { PreparedRequest } from "../request.js";
import type { Response } from "../response.js";
import type { Progress } from "../settings.js";

const NO_RETRIES = Retry.from(0);

/**
 * What an adapter is given with each request: requests' `send(request, stream, timeout, verify,
 * cert, proxies)`, and reqwire's own per-request options.
 */
export interface SendOptions {
  /** Whether the body is read when the caller asks for it (`r.iter_content`) rather than at once. */
  readonly stream: boolean;
  /** Seconds: one number for connect and read, `[connect, read]`, or none. */
  readonly timeout: RequestOptions["timeout"];
  /** TLS verification: true, false, or CA certificates. */
  readonly verify: boolean | string;
  /** Client certificate and key for mutual TLS. */
  readonly cert: readonly [string, string] | undefined;
  /** The proxies for this request (the request's over the session's over the environment's), if any. */
  readonly proxies: Proxies | undefined;
  /** Aborts the request. */
  readonly signal: AbortSignalLike | undefined;
  /**
   * Whether the session follows a redirect this request is answered with (`allow_redirects`;
   * absent: true). An adapter whose runtime follows redirects itself lets it only when true.
   */
  readonly allow_redirects?: boolean;
  /** The most body bytes to accept, as received. */
  readonly max_body_size: number | undefined;
  /** The most body bytes to accept, decoded. */
  readonly max_decoded_size: number | undefined;
  /** The most decoded bytes per byte received beyond the first MiB; null for no limit, undefined for the default (100). */
  readonly max_decompression_ratio: number | null | undefined;
  /** Upload progress reports. */
  readonly on_upload_progress: ((progress: Progress) => void) | undefined;
  /** Download progress reports. */
  readonly on_download_progress: ((progress: Progress) => void) | undefined;
}

/**
 * Sends prepared requests somewhere: a network (HTTPAdapter, FetchAdapter), a mock, a cache.
 * Mount one on a Session for a URL prefix with `session.mount(prefix, adapter)`.
 */
export interface Adapter {
  /** Sends one request (no redirects followed: the session does that) and resolves with its response. */
  send(request: PreparedRequest, options: SendOptions): Promise<Response>;
  /** Releases what the adapter holds (connections); called by `session.close()`. */
  close(): void;
}

/** One step of sending: a prepared request and its options in, its response out. */
export type Send = (request: PreparedRequest, options: SendOptions) => Promise<Response>;

/**
 * Wraps the step that sends each request to its adapter (`session.use(interceptor)`): it may
 * change the request, look at or replace the response, time it, or answer without calling `next`.
 */
export type Interceptor = (next: Send) => Send;

/** Whether `url` starts with `prefix` (already lower case), ignoring ASCII case. */
function startsWithFolded(url: string, prefix: string): boolean {
  if (url.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    let c = url.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Adapters by URL prefix, longest prefix first (requests' Session.adapters): a Map whose
 * iteration order is the order in which prefixes are tried.
 */
export class AdapterMounts extends Map<string, Adapter> {
  // [lower-case prefix, adapter] in the order tried, made again after any change
  #lookup: (readonly [string, Adapter])[] | undefined;
  #retrying = false;

  /** Mounts `adapter` for URLs starting with `prefix`; a longer prefix is tried before a shorter one. */
  mount(prefix: string, adapter: Adapter): void {
    super.delete(prefix);
    super.set(prefix, adapter);
    // requests' order: every shorter prefix moves after the new one
    for (const [key, value] of [...this]) {
      if (key.length < prefix.length) {
        super.delete(key);
        super.set(key, value);
      }
    }
    this.#lookup = undefined;
  }

  override set(prefix: string, adapter: Adapter): this {
    this.#lookup = undefined;
    return super.set(prefix, adapter);
  }

  override delete(prefix: string): boolean {
    this.#lookup = undefined;
    return super.delete(prefix);
  }

  override clear(): void {
    this.#lookup = undefined;
    super.clear();
  }

  #order(): (readonly [string, Adapter])[] {
    let lookup = this.#lookup;
    if (lookup === undefined) {
      lookup = [...this].map(([prefix, adapter]) => [prefix.toLowerCase(), adapter] as const);
      this.#lookup = lookup;
      this.#retrying = lookup.some(([, a]) => {
        const r = (a as { max_retries?: unknown }).max_retries;
        return r instanceof Retry && r !== NO_RETRIES;
      });
    }
    return lookup;
  }

  /** Whether some mounted adapter retries on its own (HTTPAdapter's max_retries). */
  get retrying(): boolean {
    this.#order();
    return this.#retrying;
  }

  /** The adapter of the first prefix in order that `url` starts with (ignoring case), if any. */
  find(url: string): Adapter | undefined {
    const lookup = this.#order();
    for (let i = 0; i < lookup.length; i++) {
      const entry = lookup[i] as readonly [string, Adapter];
      if (startsWithFolded(url, entry[0])) return entry[1];
    }
    return undefined;
  }
}
