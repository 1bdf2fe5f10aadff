// The programs the tests use from the distribution's packages, checked before the suite runs
// (`npm test` calls this first). The tests fail, never skip, without them; so this makes sure they
// are there: missing ones are installed with apt-get when running as root on Debian or Ubuntu;
// anywhere else it stops with one message naming the packages and the command to install them.
//
//   nginx, tinyproxy      interop: a real web server and a real forward proxy (test/interop)
//   bsdutils              `script`, a pseudo-terminal for the CLI's progress bar and colours
//   python3-requests, python3-httpbin, gunicorn, python3-brotli
//                         the reference client and its test server for test/parity
//   chromium              a real browser for the browser build (test/runtimes/browser.test.ts,
//                         driven by playwright-core at /usr/bin/chromium: no browser is downloaded)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const SBIN = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"];

/** Whether an executable is found on PATH or in the usual system folders. */
function hasProgram(name) {
  const dirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), ...SBIN];
  return dirs.some((dir) => existsSync(`${dir}/${name}`));
}

/** Whether the distribution's Python (the one apt installs modules for) imports these modules. */
function hasPythonModules(modules) {
  const r = spawnSync("/usr/bin/python3", ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" });
  return r.status === 0;
}

/** [Debian package, present?] for everything the suite needs. */
const NEEDED = [
  ["nginx", () => hasProgram("nginx")],
  ["tinyproxy", () => hasProgram("tinyproxy")],
  ["bsdutils", () => hasProgram("script")],
  ["python3-requests", () => hasPythonModules(["requests"])],
  ["python3-httpbin", () => hasPythonModules(["httpbin"])],
  ["gunicorn", () => hasProgram("gunicorn") && hasPythonModules(["gunicorn"])],
  ["python3-brotli", () => hasPythonModules(["brotli"])],
  ["chromium", () => existsSync("/usr/bin/chromium")],
];

function missingPackages() {
  return NEEDED.filter(([, present]) => !present()).map(([name]) => name);
}

const missing = missingPackages();
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const command = `apt-get update && apt-get install -y ${missing.join(" ")}`;
if (!isRoot || !hasProgram("apt-get")) {
  console.error(
    `The tests need these Debian/Ubuntu packages, which are not installed: ${missing.join(" ")}\n` +
      `Install them (as root) with:\n  ${command}\n` +
      "then run `npm test` again. (Run as root with apt-get and `npm test` installs them itself.)",
  );
  process.exit(1);
}

console.log(`npm test: installing the Debian packages the tests use: ${missing.join(" ")}`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { stdio: "inherit", env });
// the packages may start their own services (nginx on port 80, tinyproxy on 8888): the tests start
// their own instances on free ports, so the system ones are stopped
for (const service of ["nginx", "tinyproxy"]) spawnSync("service", [service, "stop"], { stdio: "ignore" });

const still = missingPackages();
if (still.length > 0) {
  console.error(`npm test: still missing after apt-get install: ${still.join(" ")}`);
  process.exit(1);
}
