// How a session hands a prepared request to an adapter: the adapter mounted for its URL, its
// send options from its settings (shared by the requests that set none of their own), its
// proxies merged for its URL, and the session's interceptors around the adapter's send.
import { InvalidSchema } from "../../errors.js";
import { lazy } from "../../lazy.js";
import type { RequestOptions } from "../options.js";
import type { PreparedRequest } from "../request.js";
import type { Response } from "../response.js";
import type { Settings } from "../settings.js";
import { type Adapter, AdapterMounts, type Interceptor, type Send, type SendOptions } from "./adapter.js";

/** The limits a session sets for its requests' bodies (its attributes of these names). */
export interface SessionLimits {
  readonly max_body_size: number | undefined;
  readonly max_decompression_ratio: number | null;
}

/** Proxy merging: loaded by the first request with a proxy configured. */
const proxying = lazy(() => import("../proxy/via-proxy.js"), "proxy");

/** A session's adapters and interceptors. */
export class Dispatch {
  /** Adapters by URL prefix (the session's `adapters`). */
  readonly mounts = new AdapterMounts();
  readonly #interceptors: Interceptor[] = [];
  // the interceptors composed around each adapter's send, made again when interceptors are added
  #chains = new WeakMap<Adapter, Send>();
  // the send options of requests with none of their own, and what they were made from
  #plain:
    | { settings: Settings; maxBody: number | undefined; maxRatio: number | null; options: SendOptions }
    | undefined;

  /** The adapter for `url`. @throws InvalidSchema when no mounted prefix matches. */
  adapterFor(url: string): Adapter {
    const adapter = this.mounts.find(url);
    if (adapter === undefined) throw new InvalidSchema(`No connection adapters were found for '${url}'`);
    return adapter;
  }

  use(interceptors: readonly Interceptor[]): void {
    this.#interceptors.push(...interceptors);
    this.#chains = new WeakMap();
  }

  /** Sends `prepared` through the interceptors to its adapter. Throws InvalidSchema without one. */
  send(
    prepared: PreparedRequest,
    settings: Settings,
    options: RequestOptions,
    limits: SessionLimits,
  ): Promise<Response> {
    const adapter = this.adapterFor(prepared.url);
    const send = this.#sendOptions(settings, options, limits);
    const p = settings.proxies;
    if (p === undefined) return this.#through(adapter, prepared, send);
    // the request's proxies over the session's over the environment's, for this URL (an adapter
    // whose network stack reads the environment's itself, as fetch's does, gets them left out)
    const env = (adapter as { ownsEnvironmentProxies?: boolean }).ownsEnvironmentProxies ? undefined : p.env;
    return proxying.use((m) =>
      this.#through(adapter, prepared, { ...send, proxies: m.proxiesFor(prepared._url, p.own, p.session, env) }),
    );
  }

  #through(adapter: Adapter, prepared: PreparedRequest, options: SendOptions): Promise<Response> {
    // (an adapter or interceptor of the user's may answer with a Response instead of a promise)
    if (this.#interceptors.length === 0) return Promise.resolve(adapter.send(prepared, options));
    let chain = this.#chains.get(adapter);
    if (chain === undefined) {
      let next: Send = (request, o) => adapter.send(request, o);
      for (let i = this.#interceptors.length - 1; i >= 0; i--) next = (this.#interceptors[i] as Interceptor)(next);
      chain = next;
      this.#chains.set(adapter, chain);
    }
    try {
      return Promise.resolve(chain(prepared, options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #sendOptions(settings: Settings, options: RequestOptions, limits: SessionLimits): SendOptions {
    const maxBody = limits.max_body_size;
    const maxRatio = limits.max_decompression_ratio;
    const plain =
      options.timeout === undefined &&
      options.signal === undefined &&
      options.max_body_size === undefined &&
      options.max_decoded_size === undefined &&
      options.max_decompression_ratio === undefined &&
      options.on_upload_progress === undefined &&
      options.on_download_progress === undefined;
    const cached = this.#plain;
    if (
      plain &&
      cached !== undefined &&
      cached.settings === settings &&
      cached.maxBody === maxBody &&
      cached.maxRatio === maxRatio
    ) {
      return cached.options;
    }
    const send: SendOptions = {
      stream: settings.stream,
      timeout: options.timeout,
      verify: settings.verify,
      cert: settings.cert,
      proxies: undefined,
      signal: options.signal,
      allow_redirects: settings.allowRedirects,
      max_body_size: options.max_body_size ?? maxBody,
      max_decoded_size: options.max_decoded_size,
      max_decompression_ratio:
        options.max_decompression_ratio === undefined ? maxRatio : options.max_decompression_ratio,
      on_upload_progress: options.on_upload_progress,
      on_download_progress: options.on_download_progress,
    };
    // shared by every plain request: frozen, so that an interceptor cannot change it for the others
    if (plain) this.#plain = { settings, maxBody, maxRatio, options: Object.freeze(send) };
    return send;
  }
}
