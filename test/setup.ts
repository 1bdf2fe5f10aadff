// Runs before every test file: the machine's proxy variables must not route the tests' requests
// (sessions trust the environment by default, as requests does). Tests that want proxies set them.
for (const name of [
  "http_proxy",
  "https_proxy",
  "all_proxy",
  "no_proxy",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "NETRC",
]) {
  delete process.env[name];
  delete process.env[name.toUpperCase()];
}
