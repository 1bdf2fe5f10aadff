// Options that take tuples take them read-only too, as `as const` literals and frozen settings
// make them: auth, cert and timeout. (This file would not type-check if they did not.)
import { afterEach, describe, expect, it } from "vitest";
import type { RequestOptions } from "../../src/index.js";
import { rawEach, runCleanups, session } from "./helpers.js";

afterEach(runCleanups);

describe("read-only tuples", () => {
  it("auth and timeout given `as const` are used as the mutable forms are", async () => {
    const srv = await rawEach((req) => {
      const auth = req.headers.find(([n]) => n.toLowerCase() === "authorization")?.[1] ?? "";
      return `HTTP/1.1 200 OK\r\nContent-Length: ${auth.length}\r\n\r\n${auth}`;
    });
    const options = { auth: ["user", "pass"] as const, timeout: [5, 5] as const } satisfies RequestOptions;
    const r = await session().get(`${srv.url}/`, options);
    expect(r.text).toBe(`Basic ${btoa("user:pass")}`);
    const s = session();
    s.auth = Object.freeze(["u", "p"] as const);
    expect((await s.get(`${srv.url}/`)).text).toBe(`Basic ${btoa("u:p")}`);
  });

  it("cert takes a read-only pair (its files are read when a TLS connection needs them)", () => {
    const pair = ["client.pem", "client.key"] as const;
    const options: RequestOptions = { cert: pair };
    const s = session();
    s.cert = pair;
    expect([options.cert, s.cert]).toEqual([pair, pair]);
  });
});
