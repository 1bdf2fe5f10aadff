// .netrc credentials, as requests.utils.get_netrc_auth finds them with Python's netrc module. The
// caller supplies file reading and the environment, so that this file stays runtime-neutral.
// Loaded by a session only once a .netrc file is there (netrc-file.ts finds it).

export interface NetrcEntry {
  login: string;
  password: string;
  account?: string;
}

export interface Netrc {
  /** Entries by machine name, lowercased; a later entry for the same name replaces an earlier one. */
  machines: Map<string, NetrcEntry>;
  default?: NetrcEntry;
}

const isSpace = (ch: string | undefined): boolean => ch === " " || ch === "\t" || ch === "\n" || ch === "\r";

/** Python's netrc._netrclex: whitespace-separated tokens, `"quoted tokens"`, backslash escapes. */
class Lexer {
  #at = 0;
  #pushed: string | undefined;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  /** The next token, or "" at the end (as in Python, an empty quoted token reads the same). */
  next(): string {
    if (this.#pushed !== undefined) {
      const token = this.#pushed;
      this.#pushed = undefined;
      return token;
    }
    const text = this.#text;
    let at = this.#at;
    while (isSpace(text[at])) at++;
    let token = "";
    if (text[at] === '"') {
      for (at++; at < text.length && text[at] !== '"'; at++) {
        if (text[at] === "\\") at++;
        token += text[at] ?? "";
      }
      at++; // the closing quote
    } else {
      for (; at < text.length && !isSpace(text[at]); at++) {
        if (text[at] === "\\") at++;
        token += text[at] ?? "";
      }
      at++; // the whitespace that ended the token
    }
    this.#at = Math.min(at, text.length);
    return token;
  }

  push(token: string): void {
    this.#pushed = token;
  }

  /** The rest of the current line, with its "\n"; "" at the end. */
  readLine(): string {
    const text = this.#text;
    const end = text.indexOf("\n", this.#at);
    const line = text.slice(this.#at, end < 0 ? text.length : end + 1);
    this.#at += line.length;
    return line;
  }

  /** Skips a comment: the rest of the line, unless the token just read ended it. */
  skipComment(): void {
    if (this.#at > 0 && this.#text[this.#at - 1] !== "\n") this.readLine();
  }
}

/**
 * Parses .netrc text the way Python's netrc module does: `machine <name>` and `default` entries
 * with `login` (or `user`), `password` and `account`; `macdef <name>` blocks, which run to the
 * next empty line (or the end of the text) and are ignored; tokens separated by any whitespace,
 * `"quoted tokens"` and backslash escapes; a token starting with "#" where a keyword is expected
 * comments out the rest of its line. Throws a SyntaxError for what Python rejects: an unknown
 * keyword, or `machine` without a name.
 */
export function parseNetrc(text: string): Netrc {
  const lexer = new Lexer(text.replace(/\r\n?/g, "\n"));
  const result: Netrc = { machines: new Map() };
  for (;;) {
    const keyword = lexer.next();
    if (keyword === "") return result;
    if (keyword.startsWith("#")) {
      lexer.skipComment();
      continue;
    }
    let machine: string | undefined;
    if (keyword === "machine") {
      machine = lexer.next();
      if (machine === "") throw new SyntaxError("netrc: missing machine name");
    } else if (keyword === "macdef") {
      lexer.next(); // its name
      for (;;) {
        const line = lexer.readLine();
        if (line === "\n" || line === "") break;
      }
      continue;
    } else if (keyword !== "default") {
      throw new SyntaxError(`netrc: unexpected ${JSON.stringify(keyword)}`);
    }

    const entry: NetrcEntry = { login: "", password: "" };
    for (;;) {
      const token = lexer.next();
      if (token.startsWith("#")) {
        lexer.skipComment();
        continue;
      }
      if (token === "" || token === "machine" || token === "default" || token === "macdef") {
        lexer.push(token);
        break;
      }
      if (token === "login" || token === "user") entry.login = lexer.next();
      else if (token === "password") entry.password = lexer.next();
      else if (token === "account") entry.account = lexer.next();
      else throw new SyntaxError(`netrc: unexpected ${JSON.stringify(token)} in an entry`);
    }
    if (machine === undefined) result.default = entry;
    else result.machines.set(machine.toLowerCase(), entry);
  }
}

/**
 * The credentials for `host` in the text of a .netrc file (exact, case-insensitive host match —
 * never a suffix match; falls back to `default`), or undefined. The user name is the entry's
 * login, or its account when the login is empty, as in requests. A malformed file gives
 * undefined; this never throws.
 */
export function netrcLookup(text: string, host: string): [string, string] | undefined {
  try {
    const netrc = parseNetrc(text);
    const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1"); // URL.hostname keeps IPv6 brackets
    const entry = netrc.machines.get(name) ?? netrc.default;
    return entry && [entry.login || entry.account || "", entry.password];
  } catch {
    return undefined;
  }
}
