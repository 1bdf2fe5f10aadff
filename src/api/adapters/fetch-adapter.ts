// FetchAdapter: requests sent through the runtime's fetch (browsers, and anywhere sockets are not
// available), with the same Response, decoding and limits as the socket adapter. fetch chooses
// its own TLS settings and proxies, and a browser's fetch drops the headers a page may not set: a
// request that sets any of these is refused, never sent otherwise.
import { SSLError } from "../../errors.js";
import { lazy } from "../../lazy.js";
import { fetchTransport } from "../../transport/fetch.js";
import type { ExchangeTransport } from "../../transport/types.js";
import { type PreparedRequest, serializeHead } from "../request.js";
import type { Response } from "../response.js";
import type { Adapter, SendOptions } from "./adapter.js";
import { exchangeReady, startExchange } from "./exchange.js";
import { urlParts } from "./url-parts.js";

/** The exchange through fetch. */
const fetching = lazy(() => import("../../http/fetch.js"), "fetch exchange");
/** Refusing proxies: loaded by the first request with proxies set. */
const proxying = lazy(() => import("../proxy/via-proxy.js"), "proxy");
/** Refusing the headers a browser page may not set: loaded by the first request where fetch drops them. */
const pageHeaders = lazy(() => import("./page-headers.js"), "browser header");

/** Sends requests through fetch: `new FetchAdapter()` uses the runtime's, or give a fetch transport. */
export class FetchAdapter implements Adapter {
  /** The runtime's fetch reads proxy settings from the environment itself (Deno, Bun). */
  readonly ownsEnvironmentProxies = true;
  readonly #fetch: ExchangeTransport;

  constructor(transport: ExchangeTransport = fetchTransport()) {
    this.#fetch = transport;
    // fetched ahead of the first request; a failure to load is reported by that request
    fetching().catch(() => {});
  }

  send(request: PreparedRequest, options: SendOptions): Promise<Response> {
    try {
      const wait = exchangeReady(options) ?? (fetching.loaded === undefined ? fetching() : undefined);
      if (wait !== undefined) return wait.then(() => this.send(request, options));
      const where = urlParts(request._url);
      if (where.https && (options.verify !== true || options.cert !== undefined)) {
        throw new SSLError(
          "the fetch transport uses the runtime's own TLS settings: verify and cert cannot be set per request",
          { request },
        );
      }
      // a proxy given to the request or the session cannot be honoured: refused, never ignored
      const proxies = options.proxies;
      if (proxies !== undefined) {
        return proxying.use((m) => {
          m.refuseProxy(request, proxies);
          return this.#start(request, options);
        });
      }
      return this.#start(request, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #start(request: PreparedRequest, options: SendOptions): Promise<Response> {
    const where = urlParts(request._url);
    // the writer still checks the head, though fetch sends its own
    const head = serializeHead(request, where.hostHeader, where.target);
    const fetch = fetching.loaded as typeof import("../../http/fetch.js");
    const req = {
      method: request.method,
      url: request._url,
      headers: request._headers._pairs(),
      follow: options.allow_redirects !== false,
    };
    const go = () => startExchange(request, options, head, (r) => fetch.runFetch(this.#fetch, req, r));
    if (!fetch.dropsPageHeaders()) return go();
    // a header the runtime's fetch would drop: refused, never sent without it
    return pageHeaders.use((m) => {
      m.refusePageHeaders(request);
      return go();
    });
  }

  /** Nothing to release: fetch keeps its own connections. */
  close(): void {}
}
