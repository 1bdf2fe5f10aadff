// One call of a session beyond a single plain exchange: a request with retries, a Digest answer
// or hooks (attempts.ts), and the redirects that follow it (follow.ts), sharing the call's cookie
// jar and the origin its credentials belong to. Loaded by the first call that needs it.

import type { RequestOptions } from "../options.js";
import type { PreparedRequest } from "../request.js";
import type { Response } from "../response.js";
import type { Settings } from "../settings.js";
import { sendOne } from "./attempts.js";
import { follow } from "./follow.js";
import { type CallParts, cookieHeaderOf, keepCookies } from "./parts.js";

/** A call in progress: what attempts.ts and follow.ts work with (see CallParts). */
export class Call {
  readonly session: CallParts["session"];
  readonly ops: CallParts["ops"];
  /** Filled from every response of the call; read for each redirect. */
  readonly jar: CallParts["jar"];
  readonly requestJar: CallParts["requestJar"];
  /** The URL the call started with: auth challenges are answered only on its origin. */
  readonly origin: URL;

  constructor(parts: CallParts) {
    ({ session: this.session, ops: this.ops, jar: this.jar, requestJar: this.requestJar, origin: this.origin } = parts);
  }

  keepCookies(r: Response): void {
    keepCookies(this.jar, r);
  }

  /** The Cookie header for a URL: the call's jar, with the request's own cookies over it. */
  cookieHeader(url: URL): string | undefined {
    return cookieHeaderOf(this.jar, url, this.requestJar);
  }

  exchange(prepared: PreparedRequest, settings: Settings, options: RequestOptions): Promise<Response> {
    return this.ops.exchange(prepared, settings, options);
  }

  /** One request without following redirects: retries and Digest, then hooks and cookies. */
  sendOne(prepared: PreparedRequest, settings: Settings, options: RequestOptions): Promise<Response> {
    return sendOne(this, prepared, settings, options);
  }
}

/** A call with retries, Digest or hooks: its first request, then the redirects it is answered with. */
export async function run(
  parts: CallParts,
  prepared: PreparedRequest,
  settings: Settings,
  options: RequestOptions,
): Promise<Response> {
  const call = new Call(parts);
  const r = await call.sendOne(prepared, settings, options);
  return settings.allowRedirects && r.is_redirect ? follow(call, r, settings, options) : r;
}

/** A plain call whose response is a redirect to follow: its cookies are kept, then the redirects followed. */
export function followFrom(
  parts: CallParts,
  first: Response,
  settings: Settings,
  options: RequestOptions,
): Promise<Response> {
  const call = new Call(parts);
  call.keepCookies(first);
  return follow(call, first, settings, options);
}
