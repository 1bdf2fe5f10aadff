// The fetch "transport", for places with no raw sockets (browsers, edge-light, any runtime where
// only fetch exists): the runtime speaks HTTP; reqwire's parser is not used. Bodies arrive
// already decompressed, as fetch always does it.
import type { FetchLike } from "../platform-types.js";
import type { ExchangeTransport } from "./types.js";

/**
 * Whether this looks like a browser page or worker, where redirect responses are hidden. Deno and
 * workerd (whose global scope has a WorkerGlobalScope too, and whose navigator says
 * "Cloudflare-Workers") show a "manual" redirect as it is, so reqwire follows redirects there.
 */
function inBrowser(): boolean {
  const g = globalThis as {
    document?: unknown;
    WorkerGlobalScope?: unknown;
    Deno?: unknown;
    navigator?: { userAgent?: unknown };
  };
  if (g.Deno !== undefined || g.navigator?.userAgent === "Cloudflare-Workers") return false;
  return g.document !== undefined || g.WorkerGlobalScope !== undefined;
}

/**
 * A transport over a fetch function (the global one by default).
 * @param fetchImpl Another fetch to use (a test double, a runtime's own).
 */
export function fetchTransport(fetchImpl?: FetchLike): ExchangeTransport {
  const browser = inBrowser();
  return {
    kind: "fetch",
    fetch: (input, init) => (fetchImpl ?? globalThis.fetch)(input, init),
    // Browsers stream uploads only over HTTP/2 and later; servers and workers do it everywhere.
    streamsUploads: !browser,
    followsRedirects: browser,
  };
}
