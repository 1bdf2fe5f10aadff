// MockAdapter: an HTTPAdapter over a Mocker's in-memory transport, to mount on a session for the
// URL prefixes a test mocks (`session.mount("https://api.test/", new MockAdapter(m))`) while the
// rest goes to the network, or for every URL (`mount("http://", …)` and `mount("https://", …)`).
import { HTTPAdapter, type HTTPAdapterOptions } from "../api/adapters/http-adapter.js";
import type { Mocker } from "./mocker.js";

/** The adapter of a Mocker: requests it sends are answered by the Mocker's mocks. */
export class MockAdapter extends HTTPAdapter {
  /** The Mocker that answers. */
  readonly mocker: Mocker;

  /** `options`: the pool settings of HTTPAdapter (the transport is the Mocker's). */
  constructor(mocker: Mocker, options: Omit<HTTPAdapterOptions, "transport"> = {}) {
    super({ ...options, transport: mocker.transport });
    this.mocker = mocker;
  }
}
