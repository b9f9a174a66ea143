/**
 * The state one adapter instance owns for its identity stores: what the
 * table says about itself (`TableMode`) and the users it saw last
 * (`RecentUsers`). Made once per adapter and passed down to every store and
 * transaction explicitly: nothing that decides correctness lives in a module
 * or is attached to an object behind the caller's back (Next.js, for one,
 * loads a module once for route handlers and again for pages).
 */
import type { ItemTable } from "../client/table-client.js"
import type { BufferedTable } from "../transaction/buffered-table.js"
import { RecentUsers } from "./recent-users.js"
import { TableMode, type LegacyItems, type TableModeTable } from "./table-mode.js"

export class IdentityState {
  readonly mode: TableMode
  readonly recentUsers = new RecentUsers()

  /**
   * @param table the adapter's own client (never a transaction's buffer): where the table's marker is read (and written on an empty table)
   * @param legacyItems the adapter's `legacyItems` option
   */
  constructor(table: TableModeTable, legacyItems: LegacyItems = "auto") {
    this.mode = new TableMode(table, legacyItems)
  }
}

/**
 * Where a store works: the table its reads and writes go to, the adapter's
 * state, and, inside a Better Auth transaction, the buffer (the same object
 * as `table`), whose writes are sent only at its commit.
 */
export interface IdentityScope {
  readonly table: ItemTable
  readonly state: IdentityState
  readonly buffer?: BufferedTable
  /**
   * Stored names of the user fields the running schema declares `unique`,
   * besides the email (a username, a phone number): each value is claimed
   * in the user's own transactions (`user-unique-claims.ts`). Empty or
   * absent for a front-end whose schema has none (Auth.js).
   */
  readonly uniqueUserFields?: readonly string[]
}

/** The scope of the adapter's own client. */
export function directScope(table: ItemTable, state: IdentityState): IdentityScope {
  return { table, state }
}

/** The scope of a transaction of the adapter: its buffer, the adapter's state. */
export function bufferedScope(buffer: BufferedTable, state: IdentityState): IdentityScope {
  return { table: buffer, state, buffer }
}
