// The request headers a browser page may not set (the Fetch standard's forbidden request headers:
// Cookie, and in Chromium User-Agent, Referer, Origin…): a browser's fetch drops them from the
// request without a word. Loaded by the FetchAdapter where the runtime's fetch does that; a
// request that sets one is refused before it is sent. reqwire's own defaults (User-Agent,
// Accept-Encoding as the session sets them) are left for the browser to replace with its own.
import { InvalidHeader } from "../../errors.js";
import { fetchHeaders } from "../../http/fetch.js";
import { defaultHeaders, type PreparedRequest } from "../request.js";

/** InvalidHeader when the runtime's fetch would drop a header of `request` that is not a default. */
export function refusePageHeaders(request: PreparedRequest): void {
  const headers = fetchHeaders(request._headers._pairs());
  // what a Request keeps of them is what the page may send
  const kept = new Request("http://localhost/", { headers }).headers;
  const defaults = defaultHeaders();
  const dropped: string[] = [];
  headers.forEach((value, name) => {
    if (!kept.has(name) && defaults[name] !== value) dropped.push(name);
  });
  if (dropped.length === 0) return;
  const cookie = dropped.includes("cookie")
    ? " (cookies= and the session's cookie jar make a Cookie header; the browser sends its own cookies)"
    : "";
  throw new InvalidHeader(
    `the browser's fetch does not let a page set ${dropped.join(", ")}${cookie}: refused rather than sent without`,
    { request },
  );
}
