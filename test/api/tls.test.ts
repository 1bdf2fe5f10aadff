// TLS through Session against node:https servers on 127.0.0.1, with certificates from
// test/support/certs.ts: verification (CA PEM, path, false, default), host names, mutual TLS,
// TLS options in the pool key, and keep-alive over TLS.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type ServerOptions } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, RequestException, SSLError, Timeout } from "../../src/index.js";
import { type CertAndKey, makeCA, makeClientCert, makeServerCert } from "../support/certs.js";
import { listen, onCleanup, rejectionOf, runCleanups, session } from "./helpers.js";

afterEach(runCleanups);

let ca: CertAndKey;
let serverCert: CertAndKey;
let wrongHostCert: CertAndKey;
let clientCert: CertAndKey;

beforeAll(() => {
  ca = makeCA();
  serverCert = makeServerCert(ca, { hosts: ["127.0.0.1", "::1"] });
  wrongHostCert = makeServerCert(ca, { hosts: ["wrong.example"] });
  clientCert = makeClientCert(ca, { commonName: "reqwire-client" });
});

interface HttpsServer {
  url: string;
  /** TLS connections whose handshake completed. */
  readonly tlsConnections: number;
}

/**
 * An https server answering "<client CN or -> #<n>", n numbering its TLS connections from 1,
 * so a response tells which connection carried it.
 */
async function httpsServer(options: ServerOptions = {}, cert: CertAndKey = serverCert): Promise<HttpsServer> {
  const ids = new WeakMap<TLSSocket, number>();
  let count = 0;
  const server = createServer({ cert: cert.cert, key: cert.key, ...options }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const cn = (socket.getPeerCertificate() as { subject?: { CN?: string } } | undefined)?.subject?.CN ?? "-";
    res.end(`${cn} #${ids.get(socket) ?? 0}`);
  });
  server.on("secureConnection", (socket: TLSSocket) => {
    ids.set(socket, ++count);
  });
  server.on("tlsClientError", () => {}); // the rejection tests cause these
  const port = await listen(server);
  return {
    url: `https://127.0.0.1:${port}`,
    get tlsConnections() {
      return count;
    },
  };
}

function expectSSLError(err: Error): void {
  expect(err).toBeInstanceOf(SSLError);
  expect(err).toBeInstanceOf(ConnectionError);
  expect(err).not.toBeInstanceOf(Timeout);
  expect(err.cause).toBeInstanceOf(Error);
}

describe("verify", () => {
  it("verify: the CA as PEM text succeeds", async () => {
    const srv = await httpsServer();
    const s = session();
    const r = await s.get(`${srv.url}/`, { verify: ca.cert, timeout: 10 });
    expect(r.status_code).toBe(200);
    expect(r.text).toBe("- #1");
  });

  it("the session's verify applies to its requests", async () => {
    const srv = await httpsServer();
    const s = session();
    s.verify = ca.cert;
    expect((await s.get(`${srv.url}/`, { timeout: 10 })).text).toBe("- #1");
  });

  it("default verify (true) refuses a certificate from an unknown CA with SSLError", async () => {
    const srv = await httpsServer();
    const s = session();
    const err = await rejectionOf(s.get(`${srv.url}/`, { timeout: 10 }));
    expectSSLError(err);
    expect(srv.tlsConnections).toBe(0);
  });

  it("verify: false succeeds", async () => {
    const srv = await httpsServer();
    const s = session();
    expect((await s.get(`${srv.url}/`, { verify: false, timeout: 10 })).text).toBe("- #1");
  });

  it("verify: a path to a PEM file succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reqwire-tls-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "ca.pem");
    writeFileSync(file, ca.cert);
    const srv = await httpsServer();
    const s = session();
    expect((await s.get(`${srv.url}/`, { verify: file, timeout: 10 })).text).toBe("- #1");
  });

  it("a certificate for another host: SSLError, even with the right CA", async () => {
    const srv = await httpsServer({}, wrongHostCert);
    const s = session();
    const err = await rejectionOf(s.get(`${srv.url}/`, { verify: ca.cert, timeout: 10 }));
    expectSSLError(err);
    expect(srv.tlsConnections).toBe(0);
  });

  it("a CA that did not sign the certificate: SSLError", async () => {
    const srv = await httpsServer();
    const s = session();
    const err = await rejectionOf(s.get(`${srv.url}/`, { verify: makeCA().cert, timeout: 10 }));
    expectSSLError(err);
  });
});

describe("mutual TLS", () => {
  const mtls = (): ServerOptions => ({ ca: ca.cert, requestCert: true, rejectUnauthorized: true });

  it("cert: [certPem, keyPem] succeeds and the server sees the client's CN", async () => {
    const srv = await httpsServer(mtls());
    const s = session();
    const r = await s.get(`${srv.url}/`, { verify: ca.cert, cert: [clientCert.cert, clientCert.key], timeout: 10 });
    expect(r.text).toBe("reqwire-client #1");
  });

  it("cert as paths to PEM files succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reqwire-mtls-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "client.pem"), clientCert.cert);
    writeFileSync(join(dir, "client.key"), clientCert.key);
    const srv = await httpsServer(mtls());
    const s = session();
    s.cert = [join(dir, "client.pem"), join(dir, "client.key")];
    expect((await s.get(`${srv.url}/`, { verify: ca.cert, timeout: 10 })).text).toBe("reqwire-client #1");
  });

  it("without a client certificate the request fails with a typed error", async () => {
    const srv = await httpsServer(mtls());
    const s = session();
    const err = await rejectionOf(s.get(`${srv.url}/`, { verify: ca.cert, timeout: 10 }));
    expect(err).toBeInstanceOf(RequestException);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
  });
});

describe("the pool key includes the TLS options", () => {
  it("verify: false and verify: caPem never share a connection; the same options do", async () => {
    const srv = await httpsServer();
    const s = session();
    const url = `${srv.url}/`;
    expect((await s.get(url, { verify: false, timeout: 10 })).text).toBe("- #1");
    expect((await s.get(url, { verify: ca.cert, timeout: 10 })).text).toBe("- #2");
    expect(srv.tlsConnections).toBe(2);
    expect((await s.get(url, { verify: ca.cert, timeout: 10 })).text).toBe("- #2");
    expect((await s.get(url, { verify: false, timeout: 10 })).text).toBe("- #1");
    expect(srv.tlsConnections).toBe(2);
  });

  it("a connection made with a client certificate is not used for a request without one", async () => {
    // The server asks for a certificate but accepts connections without one.
    const srv = await httpsServer({ ca: ca.cert, requestCert: true, rejectUnauthorized: false });
    const s = session();
    const url = `${srv.url}/`;
    const withCert = { verify: ca.cert, cert: [clientCert.cert, clientCert.key] as [string, string], timeout: 10 };
    expect((await s.get(url, withCert)).text).toBe("reqwire-client #1");
    expect((await s.get(url, { verify: ca.cert, timeout: 10 })).text).toBe("- #2");
    expect((await s.get(url, withCert)).text).toBe("reqwire-client #1");
    expect(srv.tlsConnections).toBe(2);
  });
});

describe("keep-alive over TLS", () => {
  it("sequential requests use one TLS connection", async () => {
    const srv = await httpsServer();
    const s = session();
    for (let i = 0; i < 4; i++) {
      expect((await s.get(`${srv.url}/k/${i}`, { verify: ca.cert, timeout: 10 })).text).toBe("- #1");
    }
    expect(srv.tlsConnections).toBe(1);
  });
});
