// Requests through a proxy: the proxy chosen per URL (proxies.ts), then a CONNECT tunnel for
// https or the absolute-form for http (RFC 9112 §3.2.2). Loaded by the first request with a proxy
// configured.
import { ProxyError } from "../../errors.js";
import type { Origin } from "../../http/agent.js";
import type { Pool } from "../../http/pool.js";
import { forwardTransport, tunnelTransport } from "../../http/tunnel.js";
import type { TlsOptions, Transport } from "../../transport/types.js";
import type { SendOptions } from "../adapters/adapter.js";
import { startExchange } from "../adapters/exchange.js";
import type { UrlParts } from "../adapters/url-parts.js";
import { basicAuth, type PreparedRequest, serializeHead } from "../request.js";
import type { Response } from "../response.js";
import type { Proxies } from "./env.js";
import { mergeProxies, type ProxyTarget, parseProxyUrl, selectProxy } from "./proxies.js";

/** How to reach targets through one proxy URL. */
export interface ProxyRoute {
  proxy: ProxyTarget;
  forward: Transport;
  tunnel: Transport;
}

/** What a request through a proxy needs of its adapter. */
export interface ProxyHost {
  /** The adapter's socket transport. */
  transport(): Transport;
  /** Routes by proxy URL (each parsed once). */
  readonly routes: Map<string, ProxyRoute>;
  pool(origin: Origin): Pool;
  poolFor(where: UrlParts, tls: TlsOptions | undefined): Pool;
  tlsFor(verify: boolean | string, cert: [string, string] | undefined): TlsOptions;
}

function route(host: ProxyHost, proxyUrl: string): ProxyRoute {
  let r = host.routes.get(proxyUrl);
  if (r === undefined) {
    const proxy = parseProxyUrl(proxyUrl);
    const endpoint = {
      host: proxy.host,
      port: proxy.port,
      tls: proxy.scheme === "https" ? host.tlsFor(true, undefined) : undefined,
      headers:
        proxy.auth === undefined ? [] : [["Proxy-Authorization", basicAuth(proxy.auth[0], proxy.auth[1])] as const],
    };
    r = {
      proxy,
      forward: forwardTransport(host.transport(), endpoint),
      tunnel: tunnelTransport(host.transport(), endpoint),
    };
    host.routes.set(proxyUrl, r);
  }
  return r;
}

/** The proxies for `url`: the request's over the session's over the environment's (no_proxy from all three). */
export function proxiesFor(url: URL, own: Proxies | undefined, session: Proxies, env: Proxies | undefined): Proxies {
  return mergeProxies(own, session, env, url);
}

/** For the fetch transport, which cannot send through a proxy: ProxyError when one applies to the request. */
export function refuseProxy(prepared: PreparedRequest, proxies: Proxies): void {
  if (selectProxy(prepared._url, proxies) !== undefined) {
    throw new ProxyError("the fetch transport cannot send through a proxy: the runtime's fetch chooses its own", {
      request: prepared,
    });
  }
}

/** An exchange with proxies configured: direct, through a CONNECT tunnel, or in absolute-form. */
export function viaProxy(
  host: ProxyHost,
  prepared: PreparedRequest,
  options: SendOptions,
  where: UrlParts,
  tls: TlsOptions | undefined,
): Promise<Response> {
  const url = prepared._url;
  const proxyUrl = selectProxy(url, options.proxies as Proxies);
  if (proxyUrl === undefined) {
    const head = serializeHead(prepared, where.hostHeader, where.target);
    return startExchange(prepared, options, head, host.poolFor(where, tls));
  }
  const via = route(host, proxyUrl);
  const { proxy } = via;
  if (where.https) {
    const head = serializeHead(prepared, where.hostHeader, where.target);
    const pool = host.pool({
      scheme: "https",
      host: where.host,
      port: where.port,
      tls,
      via: { key: proxyUrl, transport: via.tunnel },
    });
    return startExchange(prepared, options, head, pool);
  }
  // absolute-form through the proxy, its credentials in the request
  const target = `${url.protocol}//${where.hostHeader}${where.target}`;
  const auth = proxy.auth === undefined ? undefined : basicAuth(proxy.auth[0], proxy.auth[1]);
  const sent = auth === undefined || prepared._headers.has("proxy-authorization") ? prepared : prepared.copy();
  if (sent !== prepared) sent._headers.set("Proxy-Authorization", auth as string);
  const head = serializeHead(sent, where.hostHeader, target);
  const pool = host.pool({
    scheme: proxy.scheme,
    host: proxy.host,
    port: proxy.port,
    tls: proxy.scheme === "https" ? host.tlsFor(true, undefined) : undefined,
    via: { key: `forward ${proxyUrl}`, transport: via.forward },
  });
  return startExchange(prepared, options, head, pool);
}
