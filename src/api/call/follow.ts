// Following redirects as requests.Session.resolve_redirects does: up to max_redirects, each hop
// prepared from the last (redirects.ts), with the session's cookies for the new URL and .netrc
// credentials when it leaves the origin; every hop keeps the history before it. Loaded by the
// first redirect a session follows.
import { TooManyRedirects } from "../../errors.js";
import type { RequestOptions } from "../options.js";
import { basicAuth } from "../request.js";
import type { Response } from "../response.js";
import type { Settings } from "../settings.js";
import { release } from "./attempts.js";
import type { Call } from "./call.js";
import { leavesOrigin, redirectRequest, redirectTarget } from "./redirects.js";

/** Follows the redirects from `first` (a redirect response). */
export async function follow(
  call: Call,
  first: Response,
  settings: Settings,
  options: RequestOptions,
): Promise<Response> {
  const { session } = call;
  let r = first;
  const history: Response[] = [];
  while (r.is_redirect) {
    history.push(r);
    if (history.length > session.max_redirects) {
      await release(r);
      throw new TooManyRedirects(`Exceeded ${session.max_redirects} redirects.`, {
        request: r.request,
        response: r,
      });
    }
    await release(r);
    const from = r.request;
    const to = redirectTarget(r, from._url);
    const next = redirectRequest(from, r, to);
    if (!next._explicitCookie) {
      const cookie = call.cookieHeader(to);
      if (cookie !== undefined) next._headers.set("Cookie", cookie);
    }
    if (!next._headers.has("authorization") && session.trust_env && leavesOrigin(from._url, to)) {
      await call.ops.netrcReady();
      const auth = call.ops.netrc(to);
      if (auth !== undefined) next._headers.set("Authorization", basicAuth(auth[0], auth[1]));
    }
    r = await call.sendOne(next, settings, options);
  }
  for (let i = 0; i < history.length; i++) (history[i] as Response).history = history.slice(0, i);
  r.history = history.concat(r.history);
  return r;
}
