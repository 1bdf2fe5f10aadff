// The proxies dict and the proxy variables of the environment (http_proxy, https_proxy,
// all_proxy, no_proxy). The rest of proxy handling (proxies.ts) loads only once one is set.

/**
 * requests' proxies dict. Keys: "http", "https", "all", "http://host", "all://host" (proxy URLs)
 * and "no_proxy" (a no_proxy list). A `null` value in a request's dict removes the key from the
 * session and the environment; `undefined` is the same as an absent key.
 */
export type Proxies = Record<string, string | null | undefined>;

/** The <scheme>_proxy variables read from the environment ("no" gives the "no_proxy" key). */
const ENV_SCHEMES = ["http", "https", "all", "no"] as const;

/**
 * Proxies from the environment, as urllib's getproxies_environment (what requests uses): for each
 * of http, https, all and no, `<name>_proxy` wins over `<NAME>_PROXY` — a lowercase variable set
 * to "" hides the uppercase one —, empty values are ignored, `HTTP_PROXY` is ignored when
 * `REQUEST_METHOD` is set (a CGI script, where it comes from the client's Proxy header:
 * "httpoxy"; lowercase http_proxy is still read), and no_proxy comes back as "no_proxy".
 */
export function environProxies(env: (name: string) => string | undefined): Proxies {
  const proxies: Proxies = {};
  const cgi = env("REQUEST_METHOD") !== undefined;
  for (const scheme of ENV_SCHEMES) {
    const lower = env(`${scheme}_proxy`);
    let value = lower;
    if (lower === undefined && !(cgi && scheme === "http")) value = env(`${scheme.toUpperCase()}_PROXY`);
    if (value === undefined || value === "") continue;
    proxies[scheme === "no" ? "no_proxy" : scheme] = value;
  }
  return proxies;
}
