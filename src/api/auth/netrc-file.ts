// Where requests looks for .netrc: the file named by env NETRC (a leading "~" is the home
// directory), else ~/.netrc, then ~/_netrc, with home from env HOME (or USERPROFILE). Apart from
// the parser (netrc.ts), which a session loads only when a file is there.

/**
 * The text of the first .netrc file that can be read, or undefined (none, or an environment that
 * will not be read). The caller supplies file reading and the environment; this never throws.
 */
export function readNetrcFile(
  readTextFile: (path: string) => string,
  env: (name: string) => string | undefined,
): string | undefined {
  try {
    const home = env("HOME") || env("USERPROFILE");
    const base = home?.replace(/[\\/]+$/, "");
    const explicit = env("NETRC");
    let paths: Array<string | undefined>;
    if (explicit !== undefined) {
      const tilde = explicit === "~" || explicit.startsWith("~/") || explicit.startsWith("~\\");
      paths = [!tilde ? explicit : base === undefined ? undefined : base + explicit.slice(1)];
    } else {
      paths = base === undefined ? [] : [`${base}/.netrc`, `${base}/_netrc`];
    }
    for (const path of paths) {
      if (!path) continue;
      try {
        return readTextFile(path);
      } catch {
        // missing or unreadable: the next candidate
      }
    }
  } catch {
    // an environment that would not be read
  }
  return undefined;
}
