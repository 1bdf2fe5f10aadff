// MockAdapter: a Mocker's answers mounted on a session for some URL prefixes, the rest of the
// session's requests going to the network as before.
import { afterEach, describe, expect, it } from "vitest";
import { HTTPAdapter } from "../../src/index.js";
import { MockAdapter, Mocker } from "../../src/testing/index.js";
import { rawEach, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

describe("MockAdapter", () => {
  it("answers where it is mounted; other URLs reach the real server", async () => {
    const real = await rawEach((req) => `HTTP/1.1 200 OK\r\nContent-Length: ${req.target.length}\r\n\r\n${req.target}`);
    const m = new Mocker();
    m.get("https://api.test/user", { json: { id: 7 } });
    const s = session();
    const adapter = new MockAdapter(m, { pool_maxsize: 2 });
    s.mount("https://api.test/", adapter);
    expect(adapter).toBeInstanceOf(HTTPAdapter);
    expect(adapter.mocker).toBe(m);
    expect((await s.get("https://api.test/user")).json()).toEqual({ id: 7 });
    expect((await s.get(`${real.url}/real`)).text).toBe("/real");
    expect(m.call_count).toBe(1);
    expect(real.seen.map((x) => x.req.target)).toEqual(["/real"]);
  });

  it("a mocked redirect to a URL outside the mount leaves the mock for the network", async () => {
    const real = await rawEach((req) => `HTTP/1.1 200 OK\r\nContent-Length: ${req.target.length}\r\n\r\n${req.target}`);
    const m = new Mocker();
    m.get("https://api.test/go", { status: 302, headers: { Location: `${real.url}/landed` } });
    const s = session();
    s.mount("https://api.test/", new MockAdapter(m));
    const r = await s.get("https://api.test/go");
    expect(r.text).toBe("/landed");
    expect(r.history.map((h) => h.status_code)).toEqual([302]);
  });
});
