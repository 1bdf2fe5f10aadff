// A request head as the wire carries it: a plain value (method, request-target, fields in order)
// that the engine's writer validates and serializes (core/writer.ts). A bad field is reported as
// InvalidURL (the target) or InvalidHeader before a byte of it is written.
import { type HeaderList, SerializeError, sharedWriter } from "../core/api.js";
import { InvalidHeader, InvalidURL, type RequestErrorOptions } from "../errors.js";

/** What a request head is made of. */
export interface RequestHead {
  readonly method: string;
  /** origin-form (`/path?q`), absolute-form (through a proxy) or authority-form (CONNECT). */
  readonly target: string;
  /** Header fields in order, Host first. */
  readonly fields: HeaderList;
}

/**
 * The bytes of a request head. `url` names the request in errors, `request` is carried by them.
 * @throws InvalidURL for a target that cannot be sent, InvalidHeader for a bad method or field.
 */
export function writeHead(head: RequestHead, url: string, request?: RequestErrorOptions["request"]): Uint8Array {
  try {
    return sharedWriter().head(head.method, head.target, head.fields);
  } catch (err) {
    if (!(err instanceof SerializeError)) throw err;
    if (err.field === "target") throw new InvalidURL(`Invalid URL '${url}': ${err.message}`, { cause: err });
    const name = err.headerIndex >= 0 ? (head.fields[err.headerIndex]?.[0] ?? "") : "";
    throw new InvalidHeader(`Invalid ${err.field}${name === "" ? "" : ` ${JSON.stringify(name)}`}: ${err.message}`, {
      cause: err,
      request,
    });
  }
}
