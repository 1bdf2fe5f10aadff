// Errors raised by the core. Each carries the engine's stable numeric code, its stable name
// and the byte offset where it was found. The API layer maps them onto requests' hierarchy.
import { ERROR_MESSAGES, ERROR_NAMES } from "./generated/constants.js";

/** An error code of the engine (ERR_* in assembly/constants.ts). */
export type CoreErrorCode = number;

/** Base class of the core's errors. */
export class CoreError extends Error {
  /** The engine's numeric code (stable across versions). */
  readonly errno: CoreErrorCode;
  /** The stable name of the code, e.g. `INVALID_CONTENT_LENGTH`. */
  readonly code: string;

  constructor(errno: CoreErrorCode, message?: string) {
    super(message ?? ERROR_MESSAGES[errno] ?? `Engine error ${errno}`);
    this.name = "CoreError";
    this.errno = errno;
    this.code = ERROR_NAMES[errno] ?? "UNKNOWN";
  }
}

/** The response bytes break HTTP/1.1 (or a limit): the connection cannot be trusted any more. */
export class ParseError extends CoreError {
  /** Offset of the offending byte from the first byte fed to the parser since its last reset. */
  readonly offset: number;

  constructor(errno: CoreErrorCode, offset: number) {
    super(errno, `${ERROR_MESSAGES[errno] ?? `Engine error ${errno}`} (at byte ${offset})`);
    this.name = "ParseError";
    this.offset = offset;
  }
}

/** A request field cannot be written: nothing was serialized. */
export class SerializeError extends CoreError {
  /** Which field: "method", "target", or "header name"/"header value". */
  readonly field: string;
  /** Index of the header for header fields, else -1. */
  readonly headerIndex: number;
  /** Offset of the offending character in the field. */
  readonly offset: number;

  constructor(errno: CoreErrorCode, field: string, headerIndex: number, offset: number, detail?: string) {
    super(
      errno,
      `${detail ?? ERROR_MESSAGES[errno] ?? `Engine error ${errno}`} (${field}${headerIndex >= 0 ? ` #${headerIndex}` : ""}, at character ${offset})`,
    );
    this.name = "SerializeError";
    this.field = field;
    this.headerIndex = headerIndex;
    this.offset = offset;
  }
}
