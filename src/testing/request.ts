// A request as the mock server received it: what matchers look at, what reply callbacks get, and
// what the history keeps (requests-mock's request objects).
import { fromRawFields, type ProxiedDict } from "../api/headers.js";
import type { WireRequest } from "./wire.js";

const utf8 = new TextDecoder();

/** A request a Mocker received. */
export class MockRequest {
  /** The method, as sent (`"GET"`). */
  readonly method: string;
  /** The full URL: scheme, host, port when not the default, path and query (`"http://api.test/a?b=1"`). */
  readonly url: string;
  /** `"http"` or `"https"`. */
  readonly scheme: string;
  /** The host name (lowercase; an IPv6 address in brackets). */
  readonly hostname: string;
  /** The port, given or the scheme's default. */
  readonly port: number;
  /** The path (`"/a"`). */
  readonly path: string;
  /** The query string without its `?` (`"b=1"`), or `""`. */
  readonly query: string;
  /** The query as lists of values by name, decoded (`{ b: ["1"] }`). */
  readonly qs: Readonly<Record<string, readonly string[]>>;
  /** The header fields as sent, looked up in any case: `headers["content-type"]`, `headers.get("Accept")`. */
  readonly headers: ProxiedDict;
  /** The body as sent, de-chunked (empty when there was none). */
  readonly body: Uint8Array;
  #text: string | undefined;

  /** @internal `url` is the URL the request went to, made from the connection and the request-target. */
  constructor(wire: WireRequest, url: URL) {
    this.method = wire.method;
    this.url = url.href;
    this.scheme = url.protocol.slice(0, -1);
    this.hostname = url.hostname;
    this.port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    this.path = url.pathname;
    this.query = url.search.slice(1);
    const qs: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) {
      const values = qs[name];
      if (values === undefined) qs[name] = [value];
      else values.push(value);
    }
    this.qs = qs;
    this.headers = fromRawFields(wire.fields, { proxied: true });
    this.body = wire.body;
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    this.#text ??= utf8.decode(this.body);
    return this.#text;
  }

  /** The body parsed as JSON. @throws SyntaxError when it is not JSON */
  json<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }

  /** `"GET http://api.test/a"`. */
  toString(): string {
    return `${this.method} ${this.url}`;
  }
}
