// The requests-style API: module functions over a shared session, Session, Response, errors.
import { FetchAdapter } from "./adapters/fetch-adapter.js";
import { HTTPAdapter } from "./adapters/http-adapter.js";
import { HTTPDigestAuth } from "./auth/digest.js";
import type { RequestOptions } from "./options.js";
import { HTTPBasicAuth, PreparedRequest, VERSION } from "./request.js";
import type { Response } from "./response.js";
import { CaseInsensitiveDict, Session } from "./session.js";
import { sharedSession } from "./shared-session.js";

/**
 * Sends a request with the shared session (keep-alive connections are reused across calls;
 * idle ones never keep the process alive).
 * @example await request("GET", "http://127.0.0.1:8080/posts/1")
 */
export function request(method: string, url: string, options?: RequestOptions): Promise<Response> {
  return sharedSession().request(method, url, options);
}

/** GET. @example const r = await get(url, { params: { q: "x" } }); r.json() */
export function get(url: string, options?: RequestOptions): Promise<Response> {
  return sharedSession().request("GET", url, options);
}
/** OPTIONS. */
export function options(url: string, opts?: RequestOptions): Promise<Response> {
  return sharedSession().request("OPTIONS", url, opts);
}
/** HEAD (redirects are not followed unless `allow_redirects: true`, as in requests). */
export function head(url: string, options?: RequestOptions): Promise<Response> {
  return sharedSession().head(url, options);
}
/** POST. @example await post(url, { json: { title: "New Post" } }) */
export function post(url: string, options?: RequestOptions): Promise<Response> {
  return sharedSession().request("POST", url, options);
}
/** PUT. @example await put(url, { data: { key: "value" } }) */
export function put(url: string, options?: RequestOptions): Promise<Response> {
  return sharedSession().request("PUT", url, options);
}
/** PATCH. */
export function patch(url: string, options?: RequestOptions): Promise<Response> {
  return sharedSession().request("PATCH", url, options);
}
/** DELETE, exported as `delete` too (`requests.delete(url)`, `import { delete as remove }`). */
export function del(url: string, options?: RequestOptions): Promise<Response> {
  return sharedSession().request("DELETE", url, options);
}

/** requests.auth: the auth classes by name (`new requests.auth.HTTPBasicAuth(user, pass)`). */
export const auth = Object.freeze({ HTTPBasicAuth, HTTPDigestAuth });

/** requests.adapters: the adapter classes by name (`new requests.adapters.HTTPAdapter({ max_retries: 3 })`). */
export const adapters = Object.freeze({ HTTPAdapter, FetchAdapter });

export type { Adapter, Interceptor, Send, SendOptions } from "./adapters/adapter.js";
export type { HTTPAdapterOptions } from "./adapters/http-adapter.js";
export type { RequestOptions };
export {
  CaseInsensitiveDict,
  del as delete,
  FetchAdapter,
  HTTPAdapter,
  HTTPBasicAuth,
  HTTPDigestAuth,
  PreparedRequest,
  Session,
  VERSION as __version__,
  VERSION,
};
