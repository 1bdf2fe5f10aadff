// reqwire/testing: mock HTTP for tests, in the manner of requests-mock and undici's MockAgent. A
// Mocker's transport plays the server in memory, so what a mock answers goes through reqwire's own
// parser, receiver, decoders, redirects, cookies and timeouts, as a server's answer would:
//
//   const m = new Mocker();
//   const s = new Session({ transport: m.transport }); // or s.mount(prefix, new MockAdapter(m))
//   m.get("http://api.test/user", { json: { id: 7 } });
//   (await s.get("http://api.test/user")).json(); // { id: 7 }
//
// Pure JavaScript over Web APIs: it runs wherever reqwire runs. Import `reqwire` (which sets the
// runtime up) in the same program.
export { NoMockAddress } from "../errors.js";
export { MockAdapter } from "./adapter.js";
export { ANY, type MatchOptions, type UrlPattern } from "./match.js";
export { Mock, Mocker, type MockerOptions } from "./mocker.js";
export type { MockReply, Reply, ReplyCallback, ReplyChunk, ReplyHeaders } from "./reply.js";
export { MockRequest } from "./request.js";
export { type MockServer, MockTransport } from "./socket.js";
