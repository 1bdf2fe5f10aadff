// The generated certificates parse, chain to their CA, name the right hosts, and work in real
// TLS handshakes (node:https on 127.0.0.1), including mutual TLS.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { createServer, type RequestOptions, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { type CertAndKey, ipBytes, makeCA, makeClientCert, makeServerCert } from "./certs.js";

const HOSTS = ["127.0.0.1", "localhost", "::1"];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * An https server on 127.0.0.1 answering "hello <client certificate CN or ->", or, when it
 * requests a client certificate without insisting on it, "unauthorized <CN>: <reason>".
 */
async function httpsServer(options: {
  server: CertAndKey;
  ca?: string;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}): Promise<{ port: number; server: Server; tlsErrors: Error[] }> {
  const server = createServer(
    {
      cert: options.server.cert,
      key: options.server.key,
      ca: options.ca,
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const cn = socket.getPeerCertificate()?.subject?.CN ?? "-";
      res.end(
        socket.authorized || !options.requestCert ? `hello ${cn}` : `unauthorized ${cn}: ${socket.authorizationError}`,
      );
    },
  );
  const tlsErrors: Error[] = [];
  server.on("tlsClientError", (err) => tlsErrors.push(err)); // expected in the rejection tests
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, server, tlsErrors };
}

type Outcome = { ok: true; status: number; body: string } | { ok: false; code: string; message: string };

/** One GET over a fresh connection (agent: false), bounded by a timeout. */
function get(port: number, options: RequestOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent: false, ...options }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      res.on("error", (err: NodeJS.ErrnoException) =>
        resolve({ ok: false, code: err.code ?? "", message: err.message }),
      );
    });
    req.setTimeout(5000, () => req.destroy(Object.assign(new Error("timed out"), { code: "TEST_TIMEOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? "", message: err.message }));
    req.end();
  });
}

describe("certificate generation", () => {
  it("makes a self-signed CA certificate", () => {
    const ca = makeCA({ commonName: "Test Root" });
    expect(ca.cert).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
    expect(ca.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const x = new X509Certificate(ca.cert);
    expect(x.ca).toBe(true);
    expect(x.subject).toContain("CN=Test Root");
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkIssued(x)).toBe(true);
    expect(x.publicKey.asymmetricKeyType).toBe("ec");
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x.checkPrivateKey(createPrivateKey(ca.key))).toBe(true);
  });

  it("makes a server certificate signed by the CA, naming IPs and DNS names", () => {
    const ca = makeCA();
    const server = makeServerCert(ca, { hosts: HOSTS });
    const x = new X509Certificate(server.cert);
    const caX = new X509Certificate(ca.cert);
    expect(x.ca).toBe(false);
    expect(x.verify(caX.publicKey)).toBe(true);
    expect(x.checkIssued(caX)).toBe(true);
    expect(x.issuer).toBe(caX.subject);
    expect(x.checkPrivateKey(createPrivateKey(server.key))).toBe(true);
    expect(x.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1");
    expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x.checkIP("::1")).toBe("::1");
    expect(x.checkHost("localhost")).toBe("localhost");
    expect(x.checkIP("127.0.0.2")).toBeUndefined();
    expect(x.checkHost("example.com")).toBeUndefined();
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // node names extendedKeyUsage "keyUsage"
    // Signed by another CA: does not verify.
    expect(x.verify(new X509Certificate(makeCA().cert).publicKey)).toBe(false);
  });

  it("is valid from an hour ago to a day from now, with distinct serials", () => {
    const ca = makeCA();
    const now = Date.now();
    const a = new X509Certificate(makeServerCert(ca, { hosts: ["localhost"] }).cert);
    const b = new X509Certificate(makeServerCert(ca, { hosts: ["localhost"] }).cert);
    const from = Date.parse(a.validFrom);
    const to = Date.parse(a.validTo);
    expect(Math.abs(from - (now - 3600_000))).toBeLessThan(5000);
    expect(Math.abs(to - (now + 86400_000))).toBeLessThan(5000);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.serialNumber).toMatch(/^[0-9A-F]{32}$/);
  });

  it("makes a client certificate with the clientAuth usage", () => {
    const ca = makeCA();
    const x = new X509Certificate(makeClientCert(ca, { commonName: "alice" }).cert);
    expect(x.subject).toContain("CN=alice");
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(x.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
  });

  it("uses GeneralizedTime past 2049 and UTCTime before", () => {
    const ca = makeCA();
    const cert = makeServerCert(ca, {
      hosts: ["localhost"],
      notBefore: new Date("2049-12-31T23:59:59Z"),
      notAfter: new Date("2050-01-01T00:00:00Z"),
    });
    const x = new X509Certificate(cert.cert);
    expect(new Date(x.validFrom).toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(new Date(x.validTo).toISOString()).toBe("2050-01-01T00:00:00.000Z");
  });

  it("converts IP address text to bytes", () => {
    expect(ipBytes("127.0.0.1").toString("hex")).toBe("7f000001");
    expect(ipBytes("::1").toString("hex")).toBe("00000000000000000000000000000001");
    expect(ipBytes("::").toString("hex")).toBe("00".repeat(16));
    expect(ipBytes("fe80::1:2").toString("hex")).toBe("fe800000000000000000000000010002");
    expect(ipBytes("1:2:3:4:5:6:7:8").toString("hex")).toBe("00010002000300040005000600070008");
    expect(ipBytes("1::").toString("hex")).toBe("00010000000000000000000000000000");
    expect(ipBytes("::ffff:192.0.2.1").toString("hex")).toBe("00000000000000000000ffffc0000201");
    expect(() => ipBytes("localhost")).toThrow();
  });

  it("rejects a CA key that does not belong to the CA certificate", () => {
    const ca = makeCA();
    const other = makeCA();
    expect(() => makeServerCert({ cert: ca.cert, key: other.key }, { hosts: ["localhost"] })).toThrow(/does not match/);
  });

  it("generates a CA, a server and a client certificate well under a second", () => {
    makeCA(); // warm up
    const start = performance.now();
    const ca = makeCA();
    makeServerCert(ca, { hosts: HOSTS });
    makeClientCert(ca, { commonName: "alice" });
    const elapsed = performance.now() - start;
    console.log(`certs: CA + server + client generated in ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(500);
  });
});

describe("certificates in TLS handshakes", () => {
  const ca = makeCA();
  const serverCert = makeServerCert(ca, { hosts: HOSTS });

  it("is accepted by node:https with the CA, and refused without it", async () => {
    const { port } = await httpsServer({ server: serverCert });
    expect(await get(port, { ca: ca.cert })).toEqual({ ok: true, status: 200, body: "hello -" });
    expect(await get(port, { ca: ca.cert, servername: "localhost" })).toMatchObject({ ok: true, status: 200 });
    const refused = await get(port);
    expect(refused).toMatchObject({ ok: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    const otherCA = await get(port, { ca: makeCA().cert });
    expect(otherCA).toMatchObject({ ok: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  it("is refused for a name it does not carry", async () => {
    const { port } = await httpsServer({ server: serverCert });
    expect(await get(port, { ca: ca.cert, servername: "example.com" })).toMatchObject({
      ok: false,
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  });

  it("is refused when expired", async () => {
    const expired = makeServerCert(ca, {
      hosts: HOSTS,
      notBefore: new Date(Date.now() - 3 * 86400_000),
      notAfter: new Date(Date.now() - 86400_000),
    });
    const { port } = await httpsServer({ server: expired });
    expect(await get(port, { ca: ca.cert })).toMatchObject({ ok: false, code: "CERT_HAS_EXPIRED" });
  });

  it("is refused as a server certificate when it only has the clientAuth usage", async () => {
    const clientOnly = makeClientCert(ca, { commonName: "127.0.0.1" });
    const { port } = await httpsServer({ server: clientOnly });
    expect(await get(port, { ca: ca.cert })).toMatchObject({ ok: false, code: "INVALID_PURPOSE" });
  });

  it("does mutual TLS with a client certificate", async () => {
    const client = makeClientCert(ca, { commonName: "alice" });
    const { port } = await httpsServer({ server: serverCert, ca: ca.cert, requestCert: true });
    expect(await get(port, { ca: ca.cert, cert: client.cert, key: client.key })).toEqual({
      ok: true,
      status: 200,
      body: "hello alice",
    });
  });

  it("refuses mutual TLS without a client certificate, or with a bad one", async () => {
    const { port, tlsErrors } = await httpsServer({ server: serverCert, ca: ca.cert, requestCert: true });
    // Under TLS 1.3 the client finishes its handshake before the server has checked its
    // certificate, so what the client sees depends on timing: an alert or a bare hang-up.
    const none = await get(port, { ca: ca.cert });
    expect(none).toMatchObject({
      ok: false,
      code: expect.stringMatching(/^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/),
    });
    for (let i = 0; i < 100 && tlsErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tlsErrors[0]).toMatchObject({ code: "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE" });
    const foreign = makeClientCert(makeCA(), { commonName: "mallory" });
    expect(await get(port, { ca: ca.cert, cert: foreign.cert, key: foreign.key })).toMatchObject({ ok: false });
    expect(await get(port, { ca: ca.cert, cert: serverCert.cert, key: serverCert.key })).toMatchObject({ ok: false });
    const good = makeClientCert(ca, { commonName: "bob" });
    expect(await get(port, { ca: ca.cert, cert: good.cert, key: good.key })).toMatchObject({ body: "hello bob" });
  });

  it("gives the reason a client certificate is not accepted", async () => {
    const { port } = await httpsServer({
      server: serverCert,
      ca: ca.cert,
      requestCert: true,
      rejectUnauthorized: false,
    });
    const client = makeClientCert(ca, { commonName: "alice" });
    const foreign = makeClientCert(makeCA(), { commonName: "mallory" });
    const body = async (cert: CertAndKey): Promise<string> => {
      const outcome = await get(port, { ca: ca.cert, cert: cert.cert, key: cert.key });
      return outcome.ok ? outcome.body : `failed: ${outcome.code}`;
    };
    expect(await body(client)).toBe("hello alice");
    expect(await body(foreign)).toBe("unauthorized mallory: UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    expect(await body(serverCert)).toBe("unauthorized 127.0.0.1: INVALID_PURPOSE");
  });
});
