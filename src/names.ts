// Every name reqwire exports, listed once: main.ts exports them by name and as the default object.
// The engine's parser and writer are reqwire/core's (src/core/index.ts); its errors are here.

export { Retry, type RetryOptions } from "./api/call/retry.js";
export { type Cookie, cookiejarFromDict, RequestsCookieJar } from "./api/cookies/jar.js";
export * from "./api/index.js";
export type { DataInit, HeadersInit, RequestOptions } from "./api/options.js";
export type { Proxies } from "./api/proxy/env.js";
export type { Auth, AuthFunction } from "./api/request.js";
export { Elapsed, type Link, Response } from "./api/response.js";
export type { Hook, Hooks, Progress, SessionOptions } from "./api/session.js";
export * from "./errors.js";
export { runtime } from "./runtime/platform.js";
export { fetchTransport } from "./transport/fetch.js";
export type { ExchangeTransport, Transport } from "./transport/types.js";
