// Runs one exchange through a runtime's fetch (the fetch transport), reporting to the same
// ResponseSink a Connection reports to, so the API above cannot tell the two apart: the head,
// the body as it arrives (with pause/resume), completion, or exactly one typed error.
import {
  ChunkedEncodingError,
  ConnectionError,
  OpaqueRedirect,
  ReadTimeout,
  RequestAborted,
  RequestException,
  SSLError,
} from "../errors.js";
import type { ExchangeTransport } from "../transport/types.js";
import { requestAborted } from "./aborted.js";
import type { BodyControl, Exchange, HeaderFields } from "./connection.js";

/** What fetch needs that the serialized head already holds for a socket. */
export interface FetchRequest {
  method: string;
  /** The URL; its fragment is never sent. */
  url: URL;
  /** Header fields as the user and session made them (validated by serializing them). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Whether the request lets redirects be followed (a runtime that follows them itself does so then). */
  follow: boolean;
}

/** Fields fetch sets itself or forbids (hop-by-hop, framing, Host). */
const FETCH_OWNS = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
]);

/** dropsPageHeaders(), found out once. */
let dropsHeaders: boolean | undefined;

/**
 * Whether the runtime's fetch drops the request headers a browser page may not set: a Request
 * made with a Cookie header loses it in browsers (Node, Deno, Bun and workerd keep it).
 */
export function dropsPageHeaders(): boolean {
  dropsHeaders ??= !new Request("http://a/", { headers: { cookie: "a=b" } }).headers.has("cookie");
  return dropsHeaders;
}

/** The header fields fetch is given: the request's, less those fetch sets itself. */
export function fetchHeaders(fields: ReadonlyArray<readonly [string, string]>): Headers {
  const headers = new Headers();
  for (const [name, value] of fields) if (!FETCH_OWNS.has(name.toLowerCase())) headers.append(name, value);
  return headers;
}

/** A fetch Response's headers as HeaderFields (names are lowercase, as fetch gives them). */
class FetchFields implements HeaderFields {
  readonly #pairs: Array<[string, string]>;
  constructor(headers: Headers) {
    const pairs: Array<[string, string]> = [];
    headers.forEach((value, name) => {
      if (name !== "set-cookie") pairs.push([name, value]);
    });
    // forEach joins Set-Cookie fields; getSetCookie keeps them apart, as they were sent
    const cookies = (headers as { getSetCookie?: () => string[] }).getSetCookie?.() ?? [];
    for (const c of cookies) pairs.push(["set-cookie", c]);
    this.#pairs = pairs;
  }
  indexOf(name: string): number {
    return this.#pairs.findIndex((p) => p[0] === name);
  }
  get(name: string): string | undefined {
    const values = this.#pairs.filter((p) => p[0] === name).map((p) => p[1]);
    return values.length === 0 ? undefined : values.join(", ");
  }
  entries(): Array<[string, string]> {
    return this.#pairs;
  }
}

async function* bytesOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) yield chunk;
}

/** A streamed request body as fetch takes it: a stream where the runtime can, else whole bytes. */
async function requestBody(
  t: ExchangeTransport,
  body: Uint8Array | AsyncIterable<Uint8Array> | null,
): Promise<{ body: BodyInit | null; duplex: boolean }> {
  if (body === null || body instanceof Uint8Array) return { body: body as BodyInit | null, duplex: false };
  if (t.streamsUploads) {
    const it = bytesOf(body);
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await it.return(undefined);
      },
    });
    return { body: stream, duplex: true };
  }
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of body) {
    parts.push(chunk);
    n += chunk.length;
  }
  const all = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return { body: all, duplex: false };
}

/** Why fetch rejected, as reqwire's error. fetch says little; its cause says more where it exists. */
function fetchFailure(err: unknown, url: string): RequestException {
  if (err instanceof RequestException) return err;
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const text = `${(err as Error)?.message ?? err} ${cause?.code ?? ""} ${cause?.message ?? ""}`;
  if (/certificate|SSL|TLS|UNABLE_TO_VERIFY|SELF_SIGNED/i.test(text)) {
    return new SSLError(`TLS with ${url} failed: ${text.trim()}`, { cause: err });
  }
  return new ConnectionError(`fetch of ${url} failed: ${text.trim()}`, { cause: err });
}

/** Drives one exchange through fetch. Settles `ex.sink` exactly once. */
export function runFetch(t: ExchangeTransport, req: FetchRequest, ex: Exchange): void {
  const href = req.url.href;
  const hash = href.indexOf("#");
  const url = hash < 0 ? href : href.slice(0, hash);
  const sink = ex.sink;
  const ac = new AbortController();
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const fail = (err: RequestException) => {
    if (settled) return;
    settled = true;
    clear();
    ex.signal?.removeEventListener("abort", onUserAbort);
    ac.abort(err);
    wake?.();
    sink.onError(err);
  };
  const arm = (ms: number | undefined, what: string) => {
    clear();
    if (ms === undefined) return;
    timer = setTimeout(() => fail(new ReadTimeout(`${what} within ${ms / 1000} s`)), ms);
  };
  const onUserAbort = () => fail(requestAborted(ex.signal, "fetching"));
  if (ex.signal?.aborted) {
    onUserAbort();
    return;
  }
  ex.signal?.addEventListener("abort", onUserAbort, { once: true });

  const control: BodyControl = {
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      const w = wake;
      wake = undefined;
      w?.();
    },
    abort(reason) {
      fail(new RequestAborted("request aborted", { cause: reason }));
    },
  };

  // fetch cannot tell connecting from waiting: the head gets both allowances.
  const headLimit =
    ex.connectTimeout === undefined && ex.readTimeout === undefined
      ? undefined
      : (ex.connectTimeout ?? 0) + (ex.readTimeout ?? 0) || undefined;

  const run = async () => {
    const headers = fetchHeaders(req.headers);
    const { body, duplex } = await requestBody(t, ex.body);
    if (settled) return;
    arm(headLimit, "no response");
    const init: RequestInit & { duplex?: "half" } = {
      method: req.method,
      headers,
      body,
      signal: ac.signal,
      redirect: t.followsRedirects && req.follow ? "follow" : "manual",
    };
    if (duplex) init.duplex = "half";
    let res: globalThis.Response;
    try {
      res = await t.fetch(url, init);
    } catch (err) {
      if (!settled) fail(fetchFailure(err, url));
      return;
    }
    if (settled) {
      res.body?.cancel().catch(() => {});
      return;
    }
    if (res.type === "opaqueredirect") {
      // a browser's answer to "manual": the redirect happened, but its status and Location are hidden
      fail(
        new OpaqueRedirect(
          `${url} redirects (the runtime's fetch hides where to): not followed, allow_redirects=false`,
        ),
      );
      return;
    }
    const fields = new FetchFields(res.headers);
    const declared = fields.get("content-length");
    const coded = fields.indexOf("content-encoding") >= 0;
    sink.onHead(
      {
        status: res.status,
        reason: res.statusText,
        httpVersion: "1.1",
        headers: fields,
        decoded: true,
        url: res.redirected && res.url !== "" ? res.url : undefined,
        keepAlive: true,
        contentLength: declared === undefined || coded ? -1 : Number(declared),
      },
      control,
    );
    const reader = ex.expectHead ? undefined : res.body?.getReader();
    if (reader === undefined) {
      res.body?.cancel().catch(() => {});
    } else {
      for (;;) {
        if (settled) {
          reader.cancel().catch(() => {});
          return;
        }
        if (paused) {
          clear();
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        arm(ex.readTimeout, "no data from the server");
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (err) {
          if (!settled) {
            fail(
              new ChunkedEncodingError(`the response body was cut short: ${(err as Error)?.message ?? err}`, {
                cause: err,
              }),
            );
          }
          return;
        }
        if (step.done) break;
        if (!settled && step.value.length > 0) sink.onData(step.value);
      }
    }
    if (settled) return;
    settled = true;
    clear();
    ex.signal?.removeEventListener("abort", onUserAbort);
    sink.onComplete();
  };
  run().catch((err: unknown) => fail(fetchFailure(err, url)));
}
