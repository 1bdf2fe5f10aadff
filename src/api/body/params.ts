// Query strings, encoded as Python requests encodes them (urlencode(doseq=True)), and merged as
// requests merges a session's params with a request's. Loaded by the first request with params
// (request.ts), or with a body (encode.ts, multipart.ts use fieldPairs).
import type { URLSearchParamsLike } from "../../platform-types.js";

/** A query or form value. `null`/`undefined` are left out; booleans are written "true"/"false". */
export type ParamValue = string | number | boolean | bigint | null | undefined;

/** Form fields: an object, `[name, value]` pairs, a Map or URLSearchParams; arrays repeat the name. */
export type FormFields =
  | URLSearchParamsLike
  | ReadonlyMap<string, ParamValue | readonly ParamValue[]>
  | ReadonlyArray<readonly [string, ParamValue | readonly ParamValue[]]>
  | Readonly<Record<string, ParamValue | readonly ParamValue[]>>;

/** Query parameters: form fields, or a string used as it is. */
export type Params = string | FormFields;

// Python's quote_plus(s, safe=""): everything but A-Z a-z 0-9 _ . - ~ is %XX of its UTF-8 bytes,
// space is "+". encodeURIComponent also leaves ! ' ( ) * alone.
function quotePlus(s: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    throw new TypeError(`Cannot encode ${JSON.stringify(s)}: it has a lone surrogate`);
  }
  return encoded.replace(/[!'()*]|%20/g, (m) => (m === "%20" ? "+" : `%${m.charCodeAt(0).toString(16).toUpperCase()}`));
}

function scalar(name: string, value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      throw new TypeError(`The value of "${name}" must be a string, number, boolean or bigint, not ${typeof value}`);
  }
}

// Yields [name, value] for every value of `fields`, in order, arrays flattened, nullish skipped.
export function* fieldPairs(fields: FormFields): Generator<[string, string]> {
  const entries: Iterable<unknown> =
    fields instanceof URLSearchParams || fields instanceof Map || Array.isArray(fields)
      ? (fields as Iterable<unknown>)
      : Object.entries(fields);
  for (const pair of entries) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("Fields must be [name, value] pairs");
    const name = String(pair[0]);
    const value: unknown = pair[1];
    if (Array.isArray(value)) {
      for (const v of value) if (v != null) yield [name, scalar(name, v)];
    } else if (value != null) {
      yield [name, scalar(name, value)];
    }
  }
}

/**
 * The query string for `params` (without "?"), as requests writes it: UTF-8, percent-encoded
 * except A-Z a-z 0-9 `_.-~`, spaces as "+", arrays as repeated names, null/undefined left out.
 * A string is returned unchanged.
 * @throws TypeError for a value that is not a string, number, boolean or bigint.
 * @example encodeParams({ q: "a b", tag: ["x", "y"] }) // "q=a+b&tag=x&tag=y"
 */
export function encodeParams(params: Params | null | undefined): string {
  if (params == null) return "";
  if (typeof params === "string") return params;
  const parts: string[] = [];
  for (const [name, value] of fieldPairs(params)) parts.push(`${quotePlus(name)}=${quotePlus(value)}`);
  return parts.join("&");
}

/**
 * `url` with `params` added to its query (after any already there, joined by "&"), the fragment
 * kept at the end, as requests' prepare_url merges them. Nothing else in the URL is changed.
 * @example appendParams("http://h/p?a=1#top", { b: 2 }) // "http://h/p?a=1&b=2#top"
 */
export function appendParams(url: string, params: Params | null | undefined): string {
  const query = encodeParams(params);
  if (query === "") return url;
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? "" : url.slice(hash);
  const mark = base.indexOf("?");
  const joiner = mark < 0 ? "?" : mark === base.length - 1 ? "" : "&";
  return `${base}${joiner}${query}${fragment}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Session params under request params, as requests' merge_setting: when both are mappings the
 * request's keys replace the session's and a null value removes a key; otherwise the request's
 * params, when given, are used alone.
 */
export function mergeParams(session: Params | undefined, request: Params | undefined): Params | undefined {
  if (request === undefined || request === null) return session;
  if (session === undefined || session === null || !isPlainObject(session) || !isPlainObject(request)) {
    return request;
  }
  const merged: Record<string, unknown> = { ...session, ...request };
  for (const [k, v] of Object.entries(merged)) if (v === null || v === undefined) delete merged[k];
  return merged as Params;
}
