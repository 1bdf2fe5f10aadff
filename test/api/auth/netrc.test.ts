import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { netrcLookup, parseNetrc } from "../../../src/api/auth/netrc.js";
import { readNetrcFile } from "../../../src/api/auth/netrc-file.js";

/** The credentials for `host` from the .netrc file found as a session finds it (requests.utils.get_netrc_auth). */
function netrcAuth(
  host: string,
  readTextFile: (path: string) => string,
  env: (name: string) => string | undefined,
): [string, string] | undefined {
  const text = readNetrcFile(readTextFile, env);
  return text === undefined ? undefined : netrcLookup(text, host);
}

describe("parseNetrc", () => {
  it("reads machine and default entries with tokens separated by any whitespace", () => {
    const netrc = parseNetrc(
      "machine example.com login alice password s3cret\n" +
        "machine\tapi.example.com\r\n  login bob\n\n  password  hunter2\taccount acct\n" +
        "default login anonymous password guest@\n",
    );
    expect([...netrc.machines]).toEqual([
      ["example.com", { login: "alice", password: "s3cret" }],
      ["api.example.com", { login: "bob", password: "hunter2", account: "acct" }],
    ]);
    expect(netrc.default).toEqual({ login: "anonymous", password: "guest@" });
  });

  it("takes quoted tokens and backslash escapes as Python's netrc does", () => {
    const netrc = parseNetrc(
      'machine a login "user name" password "pa ss \\"quoted\\" \\\\ end"\n' +
        "machine b login back\\ slash password x\\\\y\\z\n" +
        'machine c login "" password "unterminated',
    );
    expect(netrc.machines.get("a")).toEqual({ login: "user name", password: 'pa ss "quoted" \\ end' });
    expect(netrc.machines.get("b")).toEqual({ login: "back slash", password: "x\\yz" });
    expect(netrc.machines.get("c")).toEqual({ login: "", password: "unterminated" });
  });

  it("accepts user for login, lets a later entry win, and lowercases machine names", () => {
    const netrc = parseNetrc("machine Example.COM user first password 1\nmachine example.com login second password 2");
    expect([...netrc.machines]).toEqual([["example.com", { login: "second", password: "2" }]]);
  });

  it("skips comments where a keyword is expected, and keeps # inside values", () => {
    const netrc = parseNetrc(
      "# a comment with machine evil.com login x password y\n" +
        "machine a login u # trailing comment password nope\n" +
        "  password #not-a-comment\n" +
        "#\n" +
        "machine b login v password w #also a comment\n",
    );
    expect([...netrc.machines]).toEqual([
      ["a", { login: "u", password: "#not-a-comment" }],
      ["b", { login: "v", password: "w" }],
    ]);
  });

  it("skips macdef blocks up to an empty line, or to the end", () => {
    const netrc = parseNetrc(
      "machine a login u password p\n" +
        "macdef init\ncd /pub\nmachine evil login x password y\n\n" +
        "machine b login v password q\n" +
        "macdef last\nbinary\nget file",
    );
    expect([...netrc.machines.keys()]).toEqual(["a", "b"]);
  });

  it("rejects what Python's netrc rejects", () => {
    expect(() => parseNetrc("machine")).toThrow(SyntaxError);
    expect(() => parseNetrc("login alice password x")).toThrow(SyntaxError);
    expect(() => parseNetrc("machine a login u passwd p")).toThrow(SyntaxError);
    expect(parseNetrc("")).toEqual({ machines: new Map() });
    expect(parseNetrc("  \n# only a comment\n")).toEqual({ machines: new Map() });
  });
});

describe("netrcAuth", () => {
  const files = new Map<string, string>();
  const read = (path: string): string => {
    const text = files.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  };
  const envOf =
    (vars: Record<string, string>) =>
    (name: string): string | undefined =>
      vars[name];
  afterEach(() => files.clear());

  it("matches the host exactly and case-insensitively, never by suffix, then falls back to default", () => {
    files.set("/home/u/.netrc", "machine example.com login alice password s3cret\n");
    const env = envOf({ HOME: "/home/u" });
    expect(netrcAuth("example.com", read, env)).toEqual(["alice", "s3cret"]);
    expect(netrcAuth("EXAMPLE.com", read, env)).toEqual(["alice", "s3cret"]);
    for (const host of ["evil-example.com", "sub.example.com", "example.com.evil.net", "example.co", ""]) {
      expect(netrcAuth(host, read, env), host).toBeUndefined();
    }
    files.set("/home/u/.netrc", "machine example.com login alice password s3cret\ndefault login anon password any\n");
    expect(netrcAuth("sub.example.com", read, env)).toEqual(["anon", "any"]);
    expect(netrcAuth("example.com", read, env)).toEqual(["alice", "s3cret"]);
  });

  it("matches IPv6 hosts given with or without brackets", () => {
    files.set("/home/u/.netrc", "machine ::1 login six password p6\n");
    expect(netrcAuth("[::1]", read, envOf({ HOME: "/home/u" }))).toEqual(["six", "p6"]);
    expect(netrcAuth("::1", read, envOf({ HOME: "/home/u" }))).toEqual(["six", "p6"]);
  });

  it("uses the account as user name when login is empty, and an empty password when there is none", () => {
    files.set("/h/.netrc", "machine a account acct password p\nmachine b login only\n");
    expect(netrcAuth("a", read, envOf({ HOME: "/h" }))).toEqual(["acct", "p"]);
    expect(netrcAuth("b", read, envOf({ HOME: "/h" }))).toEqual(["only", ""]);
  });

  it("reads the file named by NETRC, and only that one", () => {
    files.set("/home/u/.netrc", "machine h login home password 1\n");
    files.set("/etc/creds", "machine h login fromenv password 2\n");
    expect(netrcAuth("h", read, envOf({ HOME: "/home/u", NETRC: "/etc/creds" }))).toEqual(["fromenv", "2"]);
    expect(netrcAuth("h", read, envOf({ HOME: "/home/u", NETRC: "/missing" }))).toBeUndefined();
    expect(netrcAuth("h", read, envOf({ HOME: "/home/u", NETRC: "" }))).toBeUndefined();
    files.set("/home/u/other", "machine h login tilde password 3\n");
    expect(netrcAuth("h", read, envOf({ HOME: "/home/u/", NETRC: "~/other" }))).toEqual(["tilde", "3"]);
  });

  it("tries ~/.netrc, then ~/_netrc, with home from HOME or USERPROFILE", () => {
    files.set("C:\\Users\\u/_netrc", "machine h login win password 4\n");
    expect(netrcAuth("h", read, envOf({ USERPROFILE: "C:\\Users\\u" }))).toEqual(["win", "4"]);
    files.set("C:\\Users\\u/.netrc", "machine h login dot password 5\n");
    expect(netrcAuth("h", read, envOf({ USERPROFILE: "C:\\Users\\u\\" }))).toEqual(["dot", "5"]);
    expect(netrcAuth("h", read, envOf({}))).toBeUndefined();
  });

  it("gives undefined, without throwing, for a missing, unreadable or malformed file", () => {
    const env = envOf({ HOME: "/home/u" });
    expect(netrcAuth("h", read, env)).toBeUndefined();
    files.set("/home/u/.netrc", "machine h login a password b\nbogus\n");
    expect(netrcAuth("h", read, env)).toBeUndefined();
    files.set("/home/u/.netrc", "machine");
    expect(netrcAuth("h", read, env)).toBeUndefined();
    const failing = () => {
      throw new Error("EACCES");
    };
    expect(netrcAuth("h", failing, env)).toBeUndefined();
    const hostileEnv = () => {
      throw new Error("env access denied");
    };
    expect(netrcAuth("h", read, hostileEnv)).toBeUndefined();
  });

  describe("with real files", () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it("reads a .netrc from disk through the supplied reader", () => {
      dir = mkdtempSync(join(tmpdir(), "reqwire-netrc-"));
      writeFileSync(join(dir, ".netrc"), "machine localhost\n\tlogin disk\n\tpassword 'quoted?'\n", { mode: 0o600 });
      const readText = (path: string) => readFileSync(path, "utf8");
      expect(netrcAuth("localhost", readText, envOf({ HOME: dir }))).toEqual(["disk", "'quoted?'"]);
      expect(netrcAuth("localhost", readText, envOf({ HOME: join(dir, "nowhere") }))).toBeUndefined();
    });
  });
});
