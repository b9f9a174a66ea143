/**
 * The identity stores: users, accounts, sessions, verification tokens and
 * authenticators as the items both front-ends share, in stored form
 * (attribute names of `field-map.ts`; keys and `type` markers never
 * returned). Each front-end converts with `toStored`/`fromStored`.
 *
 * Every store works over the `ItemTable` it is given, reads included, so a
 * buffered transaction table makes all of a store's writes part of it.
 * Each write has a `plan…` form returning the `WriteAction`s, for composing
 * several models' writes into one TransactWriteItems.
 */
import type { ItemTable } from "../client/table-client.js"
import { AccountStore } from "./account-store.js"
import { AuthenticatorStore } from "./authenticator-store.js"
import { directScope, IdentityState, type IdentityScope } from "./identity-state.js"
import { SessionStore } from "./session-store.js"
import { UserStore } from "./user-store.js"
import { VerificationTokenStore } from "./verification-token-store.js"

export interface IdentityStores {
  users: UserStore
  accounts: AccountStore
  sessions: SessionStore
  verificationTokens: VerificationTokenStore
  authenticators: AuthenticatorStore
}

/**
 * All stores of one scope: the adapter's client with its state, or one
 * buffered transaction. Given a bare table (tests, tools), a state of its
 * own is made for it.
 */
export function createIdentityStores(scope: IdentityScope | ItemTable): IdentityStores {
  const resolved = "state" in scope && scope.state instanceof IdentityState ? (scope as IdentityScope) : directScope(scope as ItemTable, new IdentityState(scope as ItemTable))
  const users = new UserStore(resolved)
  return {
    users,
    accounts: new AccountStore(resolved, users),
    sessions: new SessionStore(resolved, users),
    verificationTokens: new VerificationTokenStore(resolved.table),
    authenticators: new AuthenticatorStore(resolved),
  }
}

export { UserStore, type NewStoredUser } from "./user-store.js"
export { AccountStore, type NewStoredAccount, type AccountOwner } from "./account-store.js"
export { SessionStore, type NewStoredSession, type StoredSession, type SessionRead } from "./session-store.js"
export { userRecordOf, USER_VERSION, USER_COPY, USER_LINKS, type VersionedUser, type UserRecord } from "./user-copies.js"
export { IdentityState, directScope, bufferedScope, type IdentityScope } from "./identity-state.js"
export { VerificationTokenStore, type StoredVerificationToken } from "./verification-token-store.js"
export { AuthenticatorStore, type StoredAuthenticator } from "./authenticator-store.js"
export { isExpired, toRecord, definedChanges, type StoredRecord } from "./stored-record.js"
export { claimConflictOf, claimLabel, transact } from "./transactions.js"
export {
  TableMode,
  checkLegacyItems,
  readLookupsMarker,
  planMarkLookupsComplete,
  tableMetaKey,
  MARKER_RECHECK_MS,
  type LegacyItems,
  type LookupsMarker,
  type LookupsMarkedBy,
} from "./table-mode.js"
