/** What the user store returns: a user and the version it was read or written at (see `user-copies.ts`). */
import type { StoredRecord } from "./stored-record.js"

/** A user in stored form. */
export type UserRecord = StoredRecord & { id: string }

/** A user with the version it was read or written at: what the user store returns. */
export interface VersionedUser {
  user: UserRecord
  version: number
}
