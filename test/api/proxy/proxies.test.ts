// Proxy settings (src/api/proxy/env.ts, src/api/proxy/proxies.ts): the environment, no_proxy matching, select_proxy, the
// merge of request / session / environment proxies, and proxy URL parsing.
import { describe, expect, it } from "vitest";
import { environProxies, type Proxies } from "../../../src/api/proxy/env.js";
import { mergeProxies, parseProxyUrl, selectProxy, shouldBypass } from "../../../src/api/proxy/proxies.js";
import { InvalidProxyURL, InvalidURL } from "../../../src/errors.js";

const envOf =
  (vars: Record<string, string>) =>
  (name: string): string | undefined =>
    Object.hasOwn(vars, name) ? vars[name] : undefined;

const u = (s: string): URL => new URL(s);

describe("environProxies", () => {
  it("reads http, https, all and no_proxy", () => {
    expect(
      environProxies(
        envOf({
          http_proxy: "http://p:1",
          https_proxy: "http://p:2",
          all_proxy: "http://p:3",
          no_proxy: "localhost",
          ftp_proxy: "http://ftp",
          PATH: "/bin",
        }),
      ),
    ).toEqual({ http: "http://p:1", https: "http://p:2", all: "http://p:3", no_proxy: "localhost" });
  });

  it("reads the uppercase names", () => {
    expect(environProxies(envOf({ HTTP_PROXY: "a", HTTPS_PROXY: "b", ALL_PROXY: "c", NO_PROXY: "d" }))).toEqual({
      http: "a",
      https: "b",
      all: "c",
      no_proxy: "d",
    });
  });

  it("prefers lowercase over uppercase", () => {
    expect(environProxies(envOf({ http_proxy: "lower", HTTP_PROXY: "upper", NO_PROXY: "U", no_proxy: "l" }))).toEqual({
      http: "lower",
      no_proxy: "l",
    });
  });

  it("ignores empty values; an empty lowercase value hides the uppercase one", () => {
    expect(environProxies(envOf({ https_proxy: "", HTTPS_PROXY: "upper", ALL_PROXY: "" }))).toEqual({});
  });

  it("ignores HTTP_PROXY under CGI (REQUEST_METHOD set), but not http_proxy or the others", () => {
    expect(environProxies(envOf({ REQUEST_METHOD: "GET", HTTP_PROXY: "evil", HTTPS_PROXY: "ok" }))).toEqual({
      https: "ok",
    });
    expect(environProxies(envOf({ REQUEST_METHOD: "", HTTP_PROXY: "evil" }))).toEqual({});
    expect(environProxies(envOf({ REQUEST_METHOD: "POST", http_proxy: "fine" }))).toEqual({ http: "fine" });
  });

  it("gives {} for an empty environment", () => {
    expect(environProxies(() => undefined)).toEqual({});
  });
});

describe("shouldBypass", () => {
  const bypass = (url: string, noProxy: string | undefined) => shouldBypass(u(url), noProxy);

  it("nothing is bypassed without a list", () => {
    expect(bypass("http://example.com/", undefined)).toBe(false);
    expect(bypass("http://example.com/", "")).toBe(false);
    expect(bypass("http://example.com/", " , ,")).toBe(false);
  });

  it('"*" bypasses everything, alone or in a list', () => {
    expect(bypass("http://example.com/", "*")).toBe(true);
    expect(bypass("https://10.1.2.3:8443/", "foo, *")).toBe(true);
  });

  it("a name matches the host and its subdomains on label boundaries", () => {
    for (const entry of ["example.com", ".example.com", "*.example.com", "..example.com"]) {
      expect(bypass("http://example.com/", entry), entry).toBe(true);
      expect(bypass("http://a.example.com/", entry), entry).toBe(true);
      expect(bypass("http://a.b.example.com:8080/", entry), entry).toBe(true);
      expect(bypass("http://badexample.com/", entry), entry).toBe(false);
      expect(bypass("http://example.com.evil.net/", entry), entry).toBe(false);
      expect(bypass("http://example.org/", entry), entry).toBe(false);
    }
  });

  it("a longer entry does not match a shorter host", () => {
    expect(bypass("http://example.com/", "a.example.com")).toBe(false);
  });

  it("is case-insensitive and trims whitespace", () => {
    expect(bypass("http://API.Example.COM/", "  EXAMPLE.com  ")).toBe(true);
    expect(bypass("http://example.com/", "foo.org,\texample.com\n")).toBe(true);
    expect(bypass("http://example.com/", "foo.org , bar.net")).toBe(false);
  });

  it("a trailing dot on either side is ignored", () => {
    expect(bypass("http://example.com./", "example.com")).toBe(true);
    expect(bypass("http://a.example.com/", "example.com.")).toBe(true);
  });

  it("an entry with a port matches only that port (explicit or the scheme's default)", () => {
    expect(bypass("http://example.com:8080/", "example.com:8080")).toBe(true);
    expect(bypass("http://a.example.com:8080/", ".example.com:8080")).toBe(true);
    expect(bypass("http://example.com:8081/", "example.com:8080")).toBe(false);
    expect(bypass("http://example.com/", "example.com:8080")).toBe(false);
    expect(bypass("http://example.com/", "example.com:80")).toBe(true);
    expect(bypass("https://example.com/", "example.com:443")).toBe(true);
    expect(bypass("https://example.com/", "example.com:80")).toBe(false);
  });

  it("an entry without a port matches every port", () => {
    expect(bypass("http://example.com:1234/", "example.com")).toBe(true);
    expect(bypass("http://127.0.0.1:1234/", "127.0.0.1")).toBe(true);
  });

  it("IPv4: exact addresses, with a port, and CIDR blocks", () => {
    expect(bypass("http://127.0.0.1/", "127.0.0.1")).toBe(true);
    expect(bypass("http://127.0.0.2/", "127.0.0.1")).toBe(false);
    expect(bypass("http://127.0.0.1:8080/", "127.0.0.1:8080")).toBe(true);
    expect(bypass("http://127.0.0.1:8081/", "127.0.0.1:8080")).toBe(false);
    expect(bypass("http://10.200.3.4/", "10.0.0.0/8")).toBe(true);
    expect(bypass("http://11.0.0.1/", "10.0.0.0/8")).toBe(false);
    expect(bypass("http://192.168.1.77/", "192.168.1.0/24")).toBe(true);
    expect(bypass("http://192.168.2.1/", "192.168.1.0/24")).toBe(false);
    expect(bypass("http://192.168.1.77/", "192.168.1.99/24")).toBe(true); // host bits in the entry ignored
    expect(bypass("http://172.16.5.5/", "172.16.5.5/32")).toBe(true);
    expect(bypass("http://172.16.5.6/", "172.16.5.5/32")).toBe(false);
    expect(bypass("http://8.8.8.8/", "0.0.0.0/0")).toBe(true);
    expect(bypass("http://10.1.1.1:8080/", "10.0.0.0/8:8080")).toBe(true);
    expect(bypass("http://10.1.1.1:9090/", "10.0.0.0/8:8080")).toBe(false);
  });

  it("IPv4 hosts written oddly are compared in URL's canonical form", () => {
    expect(bypass("http://0x7f.1/", "127.0.0.1")).toBe(true);
    expect(bypass("http://2130706433/", "127.0.0.0/8")).toBe(true);
  });

  it("names and IPs never suffix-match each other", () => {
    expect(bypass("http://127.0.0.1/", "0.0.1")).toBe(false);
    expect(bypass("http://127.0.0.1/", "localhost")).toBe(false);
    expect(bypass("http://localhost/", "127.0.0.1")).toBe(false);
    expect(bypass("http://1.2.3.4/", "3.4")).toBe(false);
  });

  it("invalid CIDR entries never match", () => {
    for (const entry of ["10.0.0.0/33", "10.0.0.0/x", "10.0.0/8", "300.0.0.0/8", "10.0.0.0/8/8"]) {
      expect(bypass("http://10.0.0.1/", entry), entry).toBe(false);
    }
  });

  it("IPv6 literals, with or without brackets, compared canonically", () => {
    expect(bypass("http://[::1]/", "::1")).toBe(true);
    expect(bypass("http://[::1]/", "[::1]")).toBe(true);
    expect(bypass("http://[::1]:8080/", "[::1]:8080")).toBe(true);
    expect(bypass("http://[::1]:8081/", "[::1]:8080")).toBe(false);
    expect(bypass("http://[::1]/", "0:0:0:0:0:0:0:1")).toBe(true);
    expect(bypass("http://[2001:DB8::1]/", "2001:db8:0::1")).toBe(true);
    expect(bypass("http://[::2]/", "::1")).toBe(false);
    expect(bypass("http://[::ffff:7f00:1]/", "127.0.0.1")).toBe(false);
    expect(bypass("http://127.0.0.1/", "::1")).toBe(false);
  });

  it("a malformed entry is skipped, the rest still apply", () => {
    expect(bypass("http://example.com/", "[::1, bad:port, example.com")).toBe(true);
    expect(bypass("http://example.com:8080/", "example.com:80x")).toBe(false);
  });

  it("a URL without a host is always bypassed", () => {
    expect(bypass("file:///etc/passwd", undefined)).toBe(true);
  });
});

describe("selectProxy", () => {
  const all: Proxies = {
    "http://example.com": "http://host-scheme",
    http: "http://scheme",
    "all://example.com": "http://all-host",
    all: "http://all",
  };

  it("the most specific key first: scheme://host, scheme, all://host, all", () => {
    const url = u("http://example.com:8080/x");
    expect(selectProxy(url, all)).toBe("http://host-scheme");
    const { "http://example.com": _a, ...noHostScheme } = all;
    expect(selectProxy(url, noHostScheme)).toBe("http://scheme");
    const { http: _b, ...noScheme } = noHostScheme;
    expect(selectProxy(url, noScheme)).toBe("http://all-host");
    const { "all://example.com": _c, ...onlyAll } = noScheme;
    expect(selectProxy(url, onlyAll)).toBe("http://all");
    expect(selectProxy(url, {})).toBeUndefined();
  });

  it("keys are per scheme and per host (without port)", () => {
    expect(selectProxy(u("https://example.com/"), all)).toBe("http://all-host");
    expect(selectProxy(u("https://other.org/"), all)).toBe("http://all");
    expect(selectProxy(u("https://other.org/"), { http: "x" })).toBeUndefined();
    expect(selectProxy(u("http://example.com:81/"), { "http://example.com:81": "x" })).toBeUndefined();
  });

  it("host keys match exactly: no subdomains", () => {
    expect(selectProxy(u("http://a.example.com/"), { "http://example.com": "x" })).toBeUndefined();
  });

  it("IPv6 host keys with or without brackets", () => {
    expect(selectProxy(u("http://[::1]:8080/"), { "http://::1": "a" })).toBe("a");
    expect(selectProxy(u("http://[::1]:8080/"), { "all://[::1]": "b" })).toBe("b");
  });

  it("keys match without regard to case", () => {
    expect(selectProxy(u("http://example.com/"), { HTTP: "x" })).toBe("x");
    expect(selectProxy(u("http://example.com/"), { "ALL://Example.com": "y" })).toBe("y");
  });

  it('the first key present decides: "" or null there means no proxy; undefined is absent', () => {
    expect(selectProxy(u("http://example.com/"), { http: "", all: "http://all" })).toBeUndefined();
    expect(selectProxy(u("http://example.com/"), { http: null, all: "http://all" })).toBeUndefined();
    expect(selectProxy(u("http://example.com/"), { http: undefined, all: "http://all" })).toBe("http://all");
  });

  it("the dict's no_proxy bypasses", () => {
    const p: Proxies = { all: "http://proxy:3128", no_proxy: "localhost, .internal" };
    expect(selectProxy(u("http://localhost:3000/"), p)).toBeUndefined();
    expect(selectProxy(u("http://db.internal/"), p)).toBeUndefined();
    expect(selectProxy(u("http://example.com/"), p)).toBe("http://proxy:3128");
    expect(selectProxy(u("http://localhost/"), { http: "http://p", no_proxy: "" })).toBe("http://p");
  });
});

describe("mergeProxies", () => {
  const url = u("http://example.com/");

  it("request over session over environment", () => {
    expect(
      mergeProxies(
        { http: "http://req" },
        { http: "http://sess", https: "http://sess-s" },
        { http: "http://env", https: "http://env-s", all: "http://env-all" },
        url,
      ),
    ).toEqual({ http: "http://req", https: "http://sess-s", all: "http://env-all" });
  });

  it("no environment (trust_env false) merges only request and session", () => {
    expect(mergeProxies(undefined, { http: "http://sess" }, undefined, url)).toEqual({ http: "http://sess" });
    expect(mergeProxies(undefined, undefined, undefined, url)).toEqual({});
  });

  it("a null in the request removes the key from session and environment", () => {
    expect(
      mergeProxies({ http: null }, { http: "http://sess", https: "s" }, { http: "http://env", all: "a" }, url),
    ).toEqual({ https: "s", all: "a" });
  });

  it("a null in the session removes the key from the environment; undefined is absent", () => {
    expect(mergeProxies({ https: undefined }, { http: null }, { http: "e", https: "es" }, url)).toEqual({
      https: "es",
    });
  });

  it("environment proxies are skipped when the environment's no_proxy bypasses the URL", () => {
    const env: Proxies = { http: "http://env", no_proxy: "example.com" };
    expect(mergeProxies(undefined, undefined, env, url)).toEqual({});
    expect(mergeProxies(undefined, undefined, env, u("http://other.org/"))).toEqual({ http: "http://env" });
  });

  it("the environment's no_proxy does not touch explicit proxies and is not copied", () => {
    const env: Proxies = { http: "http://env", no_proxy: "example.com" };
    const merged = mergeProxies({ http: "http://req" }, undefined, env, url);
    expect(merged).toEqual({ http: "http://req" });
    expect(selectProxy(url, merged)).toBe("http://req");
  });

  it("the request's or session's no_proxy replaces the environment's for the check, and stays in the result", () => {
    const env: Proxies = { http: "http://env", no_proxy: "example.com" };
    // request no_proxy does not list example.com: the environment's proxy applies
    expect(mergeProxies({ no_proxy: "other.org" }, undefined, env, url)).toEqual({
      no_proxy: "other.org",
      http: "http://env",
    });
    // session no_proxy lists it: skipped, and selectProxy bypasses explicit ones too
    const merged = mergeProxies({ http: "http://req" }, { no_proxy: "example.com" }, env, url);
    expect(merged).toEqual({ http: "http://req", no_proxy: "example.com" });
    expect(selectProxy(url, merged)).toBeUndefined();
    // a null no_proxy in the request removes every no_proxy
    expect(mergeProxies({ no_proxy: null }, { no_proxy: "example.com" }, env, url)).toEqual({ http: "http://env" });
  });

  it("does not change its inputs", () => {
    const req: Proxies = { http: "r" };
    const sess: Proxies = { https: "s" };
    const env: Proxies = { all: "e" };
    mergeProxies(req, sess, env, url);
    expect([req, sess, env]).toEqual([{ http: "r" }, { https: "s" }, { all: "e" }]);
  });
});

describe("parseProxyUrl", () => {
  it("parses http and https proxies with ports", () => {
    const p = parseProxyUrl("http://proxy.local:3128");
    expect(p.scheme).toBe("http");
    expect(p.host).toBe("proxy.local");
    expect(p.port).toBe(3128);
    expect(p.auth).toBeUndefined();
    expect(p.url.href).toBe("http://proxy.local:3128/");
    const s = parseProxyUrl("HTTPS://Proxy.Local:8443/");
    expect([s.scheme, s.host, s.port]).toEqual(["https", "proxy.local", 8443]);
  });

  it("defaults the port to the scheme's (80, 443)", () => {
    expect(parseProxyUrl("http://proxy").port).toBe(80);
    expect(parseProxyUrl("https://proxy").port).toBe(443);
  });

  it('"host:port" and "user:pass@host" get http://', () => {
    const p = parseProxyUrl("localhost:3128");
    expect([p.scheme, p.host, p.port, p.url.href]).toEqual(["http", "localhost", 3128, "http://localhost:3128/"]);
    const q = parseProxyUrl("u:p@10.0.0.1:8080");
    expect([q.host, q.port, q.auth]).toEqual(["10.0.0.1", 8080, ["u", "p"]]);
    expect(parseProxyUrl("  proxy  ").host).toBe("proxy");
  });

  it("userinfo becomes Basic credentials, percent-decoded, and leaves the URL", () => {
    const p = parseProxyUrl("http://us%40er:p%3Ass%20w%2Fd@proxy:3128");
    expect(p.auth).toEqual(["us@er", "p:ss w/d"]);
    expect(p.url.href).toBe("http://proxy:3128/");
    expect(p.url.username).toBe("");
    expect(parseProxyUrl("http://user@proxy").auth).toEqual(["user", ""]);
    expect(parseProxyUrl("http://:secret@proxy").auth).toEqual(["", "secret"]);
    expect(parseProxyUrl("http://ünï:cødé@proxy").auth).toEqual(["ünï", "cødé"]);
  });

  it("IPv6 proxies: host without brackets", () => {
    const p = parseProxyUrl("http://[::1]:3128");
    expect([p.host, p.port]).toEqual(["::1", 3128]);
    expect(parseProxyUrl("[::1]:8080").host).toBe("::1");
  });

  it("throws InvalidProxyURL for other schemes", () => {
    for (const bad of ["socks5://proxy:1080", "socks5h://proxy:1080", "ftp://proxy", "file:///tmp/x"]) {
      const e = (() => {
        try {
          parseProxyUrl(bad);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e, bad).toBeInstanceOf(InvalidProxyURL);
      expect(e, bad).toBeInstanceOf(InvalidURL);
      expect((e as Error).message).toMatch(/only http and https proxies/);
    }
  });

  it("throws InvalidProxyURL without a host or for an unparsable URL", () => {
    for (const bad of [
      "",
      "   ",
      "http://",
      "http://:8080",
      "http://user:pw@",
      "http://proxy:99999",
      "http://pro xy",
    ]) {
      expect(() => parseProxyUrl(bad), JSON.stringify(bad)).toThrow(InvalidProxyURL);
    }
  });

  it("throws InvalidProxyURL for broken percent-encoding in the credentials, without showing the password", () => {
    let message = "";
    try {
      parseProxyUrl("http://user:%E0%A4%A@proxy");
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidProxyURL);
      message = (e as Error).message;
    }
    expect(message).toContain("user:***@proxy");
    expect(message).not.toContain("%E0");
  });

  it("error messages mask the password", () => {
    try {
      parseProxyUrl("socks5://alice:hunter2@proxy:1080");
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain("alice:***@proxy");
      expect((e as Error).message).not.toContain("hunter2");
    }
  });
});
