// What sending needs of a request's URL (scheme, host, port, request-target, Host header), made
// once per parsed URL: parsed URLs are shared between the requests that use the same string.
import { hostHeader, requestTarget } from "../request.js";

/** What a request needs of its URL, made once per parsed URL (parsed URLs are shared). */
export interface UrlParts {
  https: boolean;
  /** Host name or IP, IPv6 without brackets. */
  host: string;
  port: number;
  /** The request-target (path and query). */
  target: string;
  /** The Host header value. */
  hostHeader: string;
}

const partsOf = new WeakMap<URL, UrlParts>();

export function urlParts(url: URL): UrlParts {
  let parts = partsOf.get(url);
  if (parts === undefined) {
    const https = url.protocol === "https:";
    const hostname = url.hostname;
    parts = {
      https,
      host: hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
      port: url.port === "" ? (https ? 443 : 80) : Number(url.port),
      target: requestTarget(url),
      hostHeader: hostHeader(url),
    };
    partsOf.set(url, parts);
  }
  return parts;
}
