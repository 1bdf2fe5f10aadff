// reqwire's package entry (Node, Deno, Bun): the requests-style API, its errors, and the core.
import requests from "./api/index.js";

export default requests;
export * from "./api/index.js";
export type { DataInit, HeadersInit, RequestOptions } from "./api/options.js";
export type { AuthFunction } from "./api/request.js";
export { Elapsed, type Link, Response } from "./api/response.js";
export type { SessionOptions } from "./api/session.js";
export {
  CoreError,
  type ExpectOptions,
  FieldSection,
  ParseError,
  ParserEvent,
  type ParserLimits,
  RequestWriter,
  ResponseParser,
  SerializeError,
  setEngineSource,
  sharedWriter,
} from "./core/index.js";
export * from "./errors.js";
