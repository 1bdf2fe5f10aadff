// Proxy settings as in requests: no_proxy matching, the choice of a proxy for a URL, the merge of
// request, session and environment settings, and the parsing of a proxy URL. Loaded by the session
// on its first request with a proxy configured (env.ts reads the environment).

import { InvalidProxyURL } from "../../errors.js";
import type { Proxies } from "./env.js";

// ---- addresses ------------------------------------------------------------------------------

/** The 32-bit value of a dotted-quad IPv4 address, or undefined. */
function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** An IPv6 address in its canonical form (as URL prints it, without brackets), or undefined. */
function ipv6(text: string): string | undefined {
  if (!text.includes(":") || !/^[0-9a-f:.]+$/i.test(text)) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "ws:": 80, "wss:": 443 };

/** The port a URL connects to: its own, else its scheme's default. */
function effectivePort(url: URL): number | undefined {
  if (url.port !== "") return Number(url.port);
  return DEFAULT_PORTS[url.protocol];
}

/** A URL's host for matching: lowercase, without IPv6 brackets or a trailing dot. */
function hostOf(url: URL): string {
  let host = url.hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host;
}

type NoProxyEntry =
  | { kind: "all" }
  | { kind: "cidr"; network: number; mask: number; port?: number }
  | { kind: "ipv4"; address: number; port?: number }
  | { kind: "ipv6"; address: string; port?: number }
  | { kind: "name"; name: string; port?: number };

/** One no_proxy entry, or undefined for an entry that can never match. */
function parseEntry(raw: string): NoProxyEntry | undefined {
  let text = raw.trim().toLowerCase();
  if (text === "") return undefined;
  if (text === "*") return { kind: "all" };
  let port: number | undefined;
  if (text.startsWith("[")) {
    // [v6] or [v6]:port
    const close = text.indexOf("]");
    if (close < 0) return undefined;
    const rest = text.slice(close + 1);
    if (rest !== "") {
      if (!/^:\d{1,5}$/.test(rest)) return undefined;
      port = Number(rest.slice(1));
    }
    const address = ipv6(text.slice(1, close));
    return address === undefined ? undefined : { kind: "ipv6", address, ...(port === undefined ? {} : { port }) };
  }
  const colons = text.split(":").length - 1;
  if (colons > 1) {
    // a bare IPv6 literal: no port
    const address = ipv6(text);
    return address === undefined ? undefined : { kind: "ipv6", address };
  }
  if (colons === 1) {
    const at = text.lastIndexOf(":");
    const p = text.slice(at + 1);
    if (!/^\d{1,5}$/.test(p)) return undefined;
    port = Number(p);
    text = text.slice(0, at);
  }
  const withPort = port === undefined ? {} : { port };
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const network = ipv4(text.slice(0, slash));
    const bits = text.slice(slash + 1);
    if (network === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
    const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
    return { kind: "cidr", network: (network & mask) >>> 0, mask, ...withPort };
  }
  const address = ipv4(text);
  if (address !== undefined) return { kind: "ipv4", address, ...withPort };
  // ".example.com", "*.example.com" and "example.com" all mean the domain and its subdomains
  let name = text.startsWith("*.") ? text.slice(2) : text.replace(/^\.+/, "");
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "") return undefined;
  return { kind: "name", name, ...withPort };
}

/**
 * Whether `url` bypasses proxies per a no_proxy value (comma-separated entries, case-insensitive,
 * whitespace trimmed):
 * - "*" matches every URL;
 * - a name matches that host and its subdomains, on label boundaries: "example.com",
 *   ".example.com" and "*.example.com" match example.com and a.example.com, not badexample.com;
 *   names never match IP addresses;
 * - an IPv4 address matches that address; a CIDR block (10.0.0.0/8) the IPv4 addresses in it;
 * - an IPv6 literal, with or without brackets, matches that address (compared canonically);
 * - an entry with a port (example.com:8080, 10.0.0.1:80, [::1]:8080) matches only that port —
 *   the URL's own port or its scheme's default; an entry without one matches every port.
 * A URL without a host always bypasses (requests does the same).
 */
export function shouldBypass(url: URL, noProxy: string | undefined): boolean {
  const host = hostOf(url);
  if (host === "") return true;
  if (noProxy === undefined || noProxy.trim() === "") return false;
  const port = effectivePort(url);
  const v4 = ipv4(host);
  const v6 = v4 === undefined ? ipv6(host) : undefined;
  for (const raw of noProxy.split(",")) {
    const entry = parseEntry(raw);
    if (entry === undefined) continue;
    if (entry.kind === "all") return true;
    if (entry.port !== undefined && entry.port !== port) continue;
    switch (entry.kind) {
      case "cidr":
        if (v4 !== undefined && (v4 & entry.mask) >>> 0 === entry.network) return true;
        break;
      case "ipv4":
        if (v4 === entry.address) return true;
        break;
      case "ipv6":
        if (v6 === entry.address) return true;
        break;
      case "name":
        if (v4 === undefined && v6 === undefined && (host === entry.name || host.endsWith(`.${entry.name}`))) {
          return true;
        }
        break;
    }
  }
  return false;
}

// ---- selection and merging ------------------------------------------------------------------

/** The dict's value for a key, matching keys without regard to case: [found, value]. */
function lookup(proxies: Proxies, key: string): [boolean, string | null | undefined] {
  if (Object.hasOwn(proxies, key) && proxies[key] !== undefined) return [true, proxies[key]];
  for (const [k, v] of Object.entries(proxies)) {
    if (v !== undefined && k.toLowerCase() === key) return [true, v];
  }
  return [false, undefined];
}

/**
 * requests.utils.select_proxy: the proxy URL for `url`, the most specific key first —
 * "scheme://host", "scheme", "all://host", "all" (host without port; IPv6 with or without
 * brackets). The first key present decides: a "" or null value there means no proxy.
 * `undefined` when no key is present, or when the dict's own "no_proxy" bypasses the URL.
 */
export function selectProxy(url: URL, proxies: Proxies): string | undefined {
  const noProxy = lookup(proxies, "no_proxy")[1];
  if (typeof noProxy === "string" && noProxy !== "" && shouldBypass(url, noProxy)) return undefined;
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const host = url.hostname.toLowerCase();
  const hosts = host === "" ? [] : host.startsWith("[") ? [host.slice(1, -1), host] : [host];
  const keys = [...hosts.map((h) => `${scheme}://${h}`), scheme, ...hosts.map((h) => `all://${h}`), "all"];
  for (const key of keys) {
    const [found, value] = lookup(proxies, key);
    if (found) return value === null || value === "" ? undefined : (value ?? undefined);
  }
  return undefined;
}

/**
 * The proxies for one request, as requests' Session.merge_environment_settings: the request's
 * dict over the session's, then the environment's proxies filling the keys still missing — only
 * when `env` is given (trust_env) and `url` is not bypassed by no_proxy (the request's or
 * session's "no_proxy" if set, else the environment's). A `null` in the request's dict removes
 * the key from the session's and the environment's, a `null` in the session's from the
 * environment's; no `null` is left in the result. The environment's no_proxy only filters the
 * environment's proxies: it is not copied into the result, so explicit proxies stay in force.
 *
 * Differences from requests, on purpose: requests fills the environment in before merging the
 * session, so an environment proxy there beats a session proxy for the same key; here the
 * session's wins.
 */
export function mergeProxies(
  requestProxies: Proxies | undefined,
  sessionProxies: Proxies | undefined,
  env: Proxies | undefined,
  url: URL,
): Proxies {
  const merged: Proxies = {};
  const removed = new Set<string>();
  const layer = (proxies: Proxies | undefined): void => {
    if (proxies === undefined) return;
    for (const [key, value] of Object.entries(proxies)) {
      if (value === undefined || removed.has(key) || Object.hasOwn(merged, key)) continue;
      if (value === null) removed.add(key);
      else merged[key] = value;
    }
  };
  layer(requestProxies);
  layer(sessionProxies);
  if (env !== undefined) {
    const noProxy = merged.no_proxy ?? (removed.has("no_proxy") ? undefined : env.no_proxy);
    if (!shouldBypass(url, noProxy ?? undefined)) {
      const { no_proxy: _ignored, ...envProxies } = env;
      layer(envProxies);
    }
  }
  return merged;
}

// ---- proxy URLs -----------------------------------------------------------------------------

/** A proxy to connect to. */
export interface ProxyTarget {
  /** The proxy URL, normalized, without credentials. */
  url: URL;
  scheme: "http" | "https";
  /** The host name or address to connect to (an IPv6 address without brackets). */
  host: string;
  /** The proxy's port, or its scheme's default (80, 443). */
  port: number;
  /** Basic credentials from the URL's userinfo, percent-decoded. */
  auth?: [string, string];
}

/**
 * Parses a proxy URL. Without a scheme ("host:port", "user:pass@host") it gets "http://", as
 * requests does. The userinfo becomes Basic credentials, percent-decoded (a missing password is
 * ""). Throws InvalidProxyURL for a scheme other than http and https (socks is not supported),
 * a URL without a host, or one that cannot be parsed.
 */
export function parseProxyUrl(value: string): ProxyTarget {
  const text = value.trim();
  if (text === "") throw new InvalidProxyURL("Empty proxy URL");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new InvalidProxyURL(`Invalid proxy URL: ${redact(text)}`, { cause });
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw new InvalidProxyURL(`Unsupported proxy scheme "${scheme}" in ${redact(text)}: only http and https proxies`);
  }
  if (url.hostname === "") throw new InvalidProxyURL(`Proxy URL has no host: ${redact(text)}`);
  let auth: [string, string] | undefined;
  if (url.username !== "" || url.password !== "") {
    try {
      auth = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
    } catch (cause) {
      throw new InvalidProxyURL(`Invalid percent-encoding in the credentials of ${redact(text)}`, { cause });
    }
    url.username = "";
    url.password = "";
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === "" ? (scheme === "https" ? 443 : 80) : Number(url.port);
  const target: ProxyTarget = { url, scheme, host, port };
  if (auth !== undefined) target.auth = auth;
  return target;
}

/** The text of a proxy URL with any password masked, for error messages. */
function redact(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?([^/@]*):[^/@]*@/i, (_m, scheme: string | undefined, user: string) => {
    return `${scheme ?? ""}${user}:***@`;
  });
}
