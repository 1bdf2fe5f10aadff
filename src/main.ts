// reqwire's public API, the same in every runtime: the requests-style functions, Session,
// Response, adapters, errors (the engine's parser and writer are reqwire/core's). Each runtime's
// entry (src/entry/) sets the runtime up first.
import {
  adapters,
  auth,
  CaseInsensitiveDict,
  CoreError,
  cookiejarFromDict,
  del,
  Elapsed,
  exceptions,
  FetchAdapter,
  fetchTransport,
  get,
  HTTPAdapter,
  HTTPBasicAuth,
  HTTPDigestAuth,
  head,
  options,
  ParseError,
  PreparedRequest,
  patch,
  post,
  put,
  RequestsCookieJar,
  Response,
  Retry,
  request,
  runtime,
  SerializeError,
  Session,
  VERSION,
} from "./names.js";

/**
 * Every exported name as one object, as Python's requests module is used: `import requests from
 * "reqwire"`, then `requests.get(url)`, `requests.delete(url)`, `requests.auth.HTTPBasicAuth`.
 * Written out rather than spread from `import * as` (whose getters cost bytes in every bundle);
 * test/api/exports.test.ts keeps its keys equal to the named exports'.
 */
const requests = {
  ...exceptions,
  request,
  get,
  options,
  head,
  post,
  put,
  patch,
  delete: del,
  del,
  auth,
  adapters,
  HTTPAdapter,
  FetchAdapter,
  HTTPBasicAuth,
  HTTPDigestAuth,
  Session,
  PreparedRequest,
  CaseInsensitiveDict,
  Response,
  Elapsed,
  Retry,
  RequestsCookieJar,
  cookiejarFromDict,
  exceptions,
  runtime,
  fetchTransport,
  CoreError,
  ParseError,
  SerializeError,
  VERSION,
  __version__: VERSION,
};

export default requests;
export * from "./names.js";
