// The adapter a new Session mounts for `https://` and `http://`: an HTTPAdapter with the session's
// pool options over the runtime's sockets, or a FetchAdapter where requests go through fetch (a
// fetch transport given, or a runtime without sockets).
import { platform } from "../../runtime/platform.js";
import { isExchangeTransport } from "../../transport/types.js";
import type { SessionOptions } from "../options.js";
import type { Adapter } from "./adapter.js";
import { FetchAdapter } from "./fetch-adapter.js";
import { HTTPAdapter } from "./http-adapter.js";

export function defaultAdapter(options: SessionOptions): Adapter {
  const transport = options.transport ?? platform().transport;
  if (isExchangeTransport(transport)) return new FetchAdapter(transport);
  return new HTTPAdapter({
    pool_connections: options.pool_connections,
    pool_maxsize: options.pool_maxsize,
    pool_block: options.pool_block,
    idle_timeout: options.idle_timeout,
    transport,
  });
}
