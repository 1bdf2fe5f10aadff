// The session behind the module functions (`requests.get()` and friends).
import { type Session, throwawaySession } from "./session.js";

/** Created on first use. Idle sockets never keep a process alive. */
let defaultSession: Session | undefined;

/**
 * The session behind `requests.get()` and friends: its keep-alive pools are shared by every call,
 * but each call has its own cookies, as if it ran in a throwaway Session.
 */
export function sharedSession(): Session {
  if (defaultSession === undefined) defaultSession = throwawaySession();
  return defaultSession;
}
