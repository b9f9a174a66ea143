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
import type { ItemTable } from "../table-client.js"
import { AccountStore } from "./account-store.js"
import { AuthenticatorStore } from "./authenticator-store.js"
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

/** All stores over one table (or one buffered transaction). */
export function createIdentityStores(table: ItemTable): IdentityStores {
  return {
    users: new UserStore(table),
    accounts: new AccountStore(table),
    sessions: new SessionStore(table),
    verificationTokens: new VerificationTokenStore(table),
    authenticators: new AuthenticatorStore(table),
  }
}

export { UserStore, type NewStoredUser } from "./user-store.js"
export { AccountStore, type NewStoredAccount, type AccountOwner } from "./account-store.js"
export { SessionStore, userSnapshotOf, type NewStoredSession, type StoredSession, type SessionUserSnapshot } from "./session-store.js"
export { userRecordOf, versionOfRecord, USER_VERSION, USER_SNAPSHOT, type VersionedUser } from "./user-snapshot.js"
export { VerificationTokenStore, type StoredVerificationToken } from "./verification-token-store.js"
export { AuthenticatorStore, type StoredAuthenticator } from "./authenticator-store.js"
export { isExpired, toRecord, definedChanges, type StoredRecord } from "./stored-record.js"
export { claimConflictOf, claimLabel, transact } from "./transactions.js"
export {
  LookupMode,
  attachLookupMode,
  shareLookupMode,
  lookupModeOf,
  checkLegacyItems,
  readLookupsMarker,
  planMarkLookupsComplete,
  tableMetaKey,
  MARKER_RECHECK_MS,
  type LegacyItems,
  type LookupsMarker,
  type LookupsMarkedBy,
} from "./lookup-mode.js"
