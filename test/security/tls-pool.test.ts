// Security regression: a pooled connection reused across different TLS options. A connection is
// only as trusted as the options it was opened with: one opened with `verify: false` must never
// carry a request that asks for verification, one verified against a CA must not serve a request
// that trusts another CA, and one that presented a client certificate must not carry a request
// made without it (or with another one): the server would take it for the wrong client.
import type { TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { SSLError } from "../../src/index.js";
import { onCleanup, rejection, runCleanups, session } from "../api/helpers.js";
import { makeCA, makeClientCert, makeServerCert } from "../support/certs.js";
import { rawTlsServer } from "../support/raw-server.js";

afterEach(runCleanups);

describe("TLS options and the pool", () => {
  it("a pooled connection reused across different TLS options", async () => {
    const ca = makeCA({ commonName: "pool test CA" });
    const otherCa = makeCA({ commonName: "another CA" });
    const leaf = makeServerCert(ca, { hosts: ["127.0.0.1"] });
    const alice = makeClientCert(ca, { commonName: "alice" });
    const bob = makeClientCert(ca, { commonName: "bob" });
    const seen: Array<{ target: string; connection: number; client: string }> = [];
    const srv = await rawTlsServer(
      { cert: leaf.cert, key: leaf.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false },
      async (conn) => {
        const peer = (conn.socket as TLSSocket).getPeerCertificate();
        const client = typeof peer?.subject?.CN === "string" ? peer.subject.CN : "none";
        for (;;) {
          const req = await conn.nextRequest({ timeoutMs: Number.POSITIVE_INFINITY });
          if (req === null) return;
          seen.push({ target: req.target, connection: conn.id, client });
          conn.write(`HTTP/1.1 200 OK\r\nContent-Length: ${client.length}\r\n\r\n${client}`);
        }
      },
    );
    onCleanup(() => srv.close());
    const s = session();
    s.trust_env = false;
    const url = (path: string) => `${srv.url}${path}`;

    // an unverified connection goes to the pool...
    expect((await s.get(url("/unverified"), { verify: false })).text).toBe("none");
    // ...and must not carry a request that verifies (the test CA is in no default store)
    expect(await rejection(s.get(url("/default-store")))).toBeInstanceOf(SSLError);
    expect(await rejection(s.get(url("/other-ca"), { verify: otherCa.cert }))).toBeInstanceOf(SSLError);
    // verified against the right CA: a connection of its own, reused by the same options
    expect((await s.get(url("/ca-1"), { verify: ca.cert })).text).toBe("none");
    expect((await s.get(url("/ca-2"), { verify: ca.cert })).text).toBe("none");
    // a client certificate: its own connection; requests without it, or with another, never use it
    expect((await s.get(url("/alice-1"), { verify: ca.cert, cert: [alice.cert, alice.key] })).text).toBe("alice");
    expect((await s.get(url("/no-cert"), { verify: ca.cert })).text).toBe("none");
    expect((await s.get(url("/bob"), { verify: ca.cert, cert: [bob.cert, bob.key] })).text).toBe("bob");
    expect((await s.get(url("/alice-2"), { verify: ca.cert, cert: [alice.cert, alice.key] })).text).toBe("alice");
    // a CA that trusts nothing here, after everything above is pooled
    expect(await rejection(s.get(url("/other-ca-again"), { verify: otherCa.cert }))).toBeInstanceOf(SSLError);
    expect(await rejection(s.get(url("/default-store-again")))).toBeInstanceOf(SSLError);
    // the unverified one is still reusable by unverified requests
    expect((await s.get(url("/unverified-2"), { verify: false })).text).toBe("none");

    const byTarget = Object.fromEntries(seen.map((x) => [x.target, x.connection]));
    expect(Object.keys(byTarget).sort()).toEqual(
      ["/unverified", "/ca-1", "/ca-2", "/alice-1", "/no-cert", "/bob", "/alice-2", "/unverified-2"].sort(),
    );
    expect(new Set([byTarget["/unverified"], byTarget["/ca-1"], byTarget["/alice-1"], byTarget["/bob"]]).size).toBe(4);
    expect(byTarget["/ca-2"]).toBe(byTarget["/ca-1"]);
    expect(byTarget["/no-cert"]).toBe(byTarget["/ca-1"]);
    expect(byTarget["/alice-2"]).toBe(byTarget["/alice-1"]);
    expect(byTarget["/unverified-2"]).toBe(byTarget["/unverified"]);
  });
});
