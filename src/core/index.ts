// The core: the engine's parser and writer for JS, with no I/O. This entry loads the engine
// from inline bytes (Node, Deno, Bun).
import "./load-inline.js";

export { setEngineSource } from "./engine.js";
export { CoreError, ParseError, SerializeError } from "./errors.js";
export { FieldSection } from "./fields.js";
export { ERROR_MESSAGES, ERROR_NAMES } from "./generated/constants.js";
export { type ExpectOptions, ParserEvent, type ParserLimits, ResponseParser } from "./parser.js";
export { type HeaderList, RequestWriter, sharedWriter } from "./writer.js";
