// The Mocker: mocks registered by method and URL, each with its replies and its own history; the
// Mocker's history of every request; assert_all_called. Requests reach it through its transport
// (socket.ts), so that what a mock answers goes through reqwire's real receiving code.
import { platform } from "../runtime/platform.js";
import { isExchangeTransport, type Transport } from "../transport/types.js";
import { ANY, compileMatcher, type Matcher, type MatchOptions, type UrlPattern } from "./match.js";
import { prepareAnswer, type Reply } from "./reply.js";
import type { MockRequest } from "./request.js";
import { type MockServer, MockTransport } from "./socket.js";

/** Options of a Mocker. */
export interface MockerOptions {
  /**
   * What becomes of a request no mock matches (requests-mock's `real_http`): `false` fails it with
   * NoMockAddress; `true` sends it to the real server through the runtime's own transport; a
   * Transport sends it through that one.
   * @default false
   */
  real_http?: boolean | Transport;
}

/** A registered mock: what it matches, what it answers, and the requests it answered. */
export class Mock {
  /** The method it matches (`"ANY"` for any). */
  readonly method: string;
  /** The URL pattern it matches. */
  readonly url: UrlPattern;
  readonly #matcher: Matcher;
  readonly #replies: readonly Reply[];
  #left: number;
  readonly #calls: MockRequest[] = [];

  /** @internal Made by Mocker.register. */
  constructor(method: string, url: UrlPattern, replies: readonly Reply[], options: MatchOptions) {
    const times = options.times ?? Number.POSITIVE_INFINITY;
    if (!(times >= 1) || (times !== Number.POSITIVE_INFINITY && !Number.isInteger(times))) {
      throw new TypeError(`reqwire/testing: times must be a positive integer, got ${times}`);
    }
    if (typeof method !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
      throw new TypeError(`reqwire/testing: ${JSON.stringify(method)} is not a method`);
    }
    if (replies.length === 0) throw new TypeError("reqwire/testing: a list of replies must not be empty");
    // a reply given as an object is checked now, where the mistake is made
    for (const reply of replies) if (typeof reply !== "function") prepareAnswer(reply);
    this.method = method === ANY ? ANY : method.toUpperCase();
    this.url = url;
    this.#matcher = compileMatcher(this.method, url, options);
    this.#replies = replies;
    this.#left = times;
  }

  /** Whether it answered a request. */
  get called(): boolean {
    return this.#calls.length > 0;
  }

  /** How many requests it answered. */
  get call_count(): number {
    return this.#calls.length;
  }

  /** The requests it answered, oldest first. */
  get calls(): readonly MockRequest[] {
    return this.#calls;
  }

  /** The requests it answered, oldest first (requests-mock's name for `calls`). */
  get request_history(): readonly MockRequest[] {
    return this.#calls;
  }

  /** The last request it answered. */
  get last_request(): MockRequest | undefined {
    return this.#calls[this.#calls.length - 1];
  }

  /** Whether it answered the `times` requests it was registered for, and matches no more. */
  get exhausted(): boolean {
    return this.#left <= 0;
  }

  /** `"GET http://api.test/users"`. */
  toString(): string {
    return `${this.method} ${this.url instanceof RegExp ? String(this.url) : this.url}`;
  }

  /** @internal Whether it takes this request. */
  _matches(request: MockRequest): boolean {
    return this.#left > 0 && this.#matcher(request);
  }

  /** @internal Records the request; its reply (in a list, each in turn, the last one again and again). */
  _take(request: MockRequest): Reply {
    this.#left--;
    const reply = this.#replies[Math.min(this.#calls.length, this.#replies.length - 1)] as Reply;
    this.#calls.push(request);
    return reply;
  }

  /** @internal Forgets its requests (reset_mock). */
  _forget(): void {
    this.#calls.length = 0;
  }
}

/**
 * Mocks HTTP for sessions using its transport, as requests-mock and undici's MockAgent do: each
 * request is read from the bytes reqwire writes, matched against the registered mocks (the most
 * recently registered first), and answered with bytes that reqwire's own parser, decoders, redirects
 * and cookies handle as a server's. A request no mock matches fails with NoMockAddress.
 * @example
 * ```ts
 * import { Session } from "reqwire";
 * import { Mocker } from "reqwire/testing";
 *
 * const m = new Mocker();
 * const s = new Session({ transport: m.transport });
 * m.get("http://api.test/user", { json: { id: 7 } });
 * m.post("http://api.test/user", { status: 201 }, { json: { name: "a" } });
 * const r = await s.get("http://api.test/user");
 * r.json(); // { id: 7 }
 * m.last_request?.headers["user-agent"]; // "reqwire/…"
 * m.assert_all_called(); // throws: the POST mock was never used
 * ```
 */
export class Mocker {
  /** The transport to give a Session (`new Session({ transport: m.transport })`). */
  readonly transport: Transport;
  readonly #mocks: Mock[] = [];
  readonly #calls: MockRequest[] = [];

  constructor(options: MockerOptions = {}) {
    const real = options.real_http ?? false;
    let realTransport: (() => Transport) | undefined;
    if (real === true) realTransport = runtimeTransport;
    else if (real !== false) realTransport = () => real;
    const server: MockServer = {
      route: (request) => this.#route(request),
      realTransport,
    };
    this.transport = new MockTransport(server);
  }

  /**
   * Registers a mock: requests with this method (`"ANY"` for any) to a URL matching `url` (and the
   * options' conditions) are answered with `reply` — a reply, a function making one per request,
   * or a list of them used in turn (the last one again and again). The newest mock that matches
   * a request answers it.
   * @param reply What to answer. @default `{ status: 200 }` (an empty body)
   * @returns the mock, whose `called`, `call_count` and `last_request` tell what it answered
   * @throws TypeError for a URL, option or reply that cannot be used
   */
  register(method: string, url: UrlPattern, reply: Reply | readonly Reply[] = {}, options: MatchOptions = {}): Mock {
    const replies = Array.isArray(reply) ? (reply as readonly Reply[]) : [reply as Reply];
    const mock = new Mock(method, url, replies, options);
    this.#mocks.push(mock);
    return mock;
  }

  /** Registers a mock for GET (see {@link register}). */
  get(url: UrlPattern, reply?: Reply | readonly Reply[], options?: MatchOptions): Mock {
    return this.register("GET", url, reply, options);
  }

  /** Registers a mock for HEAD (see {@link register}): its body's length is sent, its body never. */
  head(url: UrlPattern, reply?: Reply | readonly Reply[], options?: MatchOptions): Mock {
    return this.register("HEAD", url, reply, options);
  }

  /** Registers a mock for POST (see {@link register}). */
  post(url: UrlPattern, reply?: Reply | readonly Reply[], options?: MatchOptions): Mock {
    return this.register("POST", url, reply, options);
  }

  /** Registers a mock for PUT (see {@link register}). */
  put(url: UrlPattern, reply?: Reply | readonly Reply[], options?: MatchOptions): Mock {
    return this.register("PUT", url, reply, options);
  }

  /** Registers a mock for PATCH (see {@link register}). */
  patch(url: UrlPattern, reply?: Reply | readonly Reply[], options?: MatchOptions): Mock {
    return this.register("PATCH", url, reply, options);
  }

  /** Registers a mock for DELETE (see {@link register}). */
  delete(url: UrlPattern, reply?: Reply | readonly Reply[], options?: MatchOptions): Mock {
    return this.register("DELETE", url, reply, options);
  }

  /** Registers a mock for OPTIONS (see {@link register}). */
  options(url: UrlPattern, reply?: Reply | readonly Reply[], options?: MatchOptions): Mock {
    return this.register("OPTIONS", url, reply, options);
  }

  /** The mocks registered, oldest first. */
  get mocks(): readonly Mock[] {
    return this.#mocks;
  }

  /** Every request received, matched or not, oldest first. */
  get calls(): readonly MockRequest[] {
    return this.#calls;
  }

  /** Every request received, matched or not, oldest first (requests-mock's name for `calls`). */
  get request_history(): readonly MockRequest[] {
    return this.#calls;
  }

  /** Whether any request was received. */
  get called(): boolean {
    return this.#calls.length > 0;
  }

  /** How many requests were received. */
  get call_count(): number {
    return this.#calls.length;
  }

  /** The last request received. */
  get last_request(): MockRequest | undefined {
    return this.#calls[this.#calls.length - 1];
  }

  /**
   * Throws when a mock answered no request, naming every such mock.
   * @throws Error listing the mocks never called
   */
  assert_all_called(): void {
    const unused = this.#mocks.filter((m) => !m.called);
    if (unused.length === 0) return;
    const list = unused.map((m) => `  ${m}`).join("\n");
    throw new Error(`reqwire/testing: ${unused.length} of ${this.#mocks.length} mocks were never called:\n${list}`);
  }

  /** Forgets every request received (the Mocker's history and each mock's); the mocks stay. */
  reset_mock(): void {
    this.#calls.length = 0;
    for (const m of this.#mocks) m._forget();
  }

  /** The reply for a request, from the newest mock that takes it; records the request. */
  #route(request: MockRequest): Reply | undefined {
    this.#calls.push(request);
    for (let i = this.#mocks.length - 1; i >= 0; i--) {
      const mock = this.#mocks[i] as Mock;
      if (mock._matches(request)) return mock._take(request);
    }
    return undefined;
  }
}

/** The runtime's own socket transport, for real_http. */
function runtimeTransport(): Transport {
  const t = platform().transport;
  if (isExchangeTransport(t)) {
    throw new TypeError(
      `reqwire/testing: real_http needs a socket transport, and this runtime (${platform().name}) has none: pass one as real_http`,
    );
  }
  return t;
}
