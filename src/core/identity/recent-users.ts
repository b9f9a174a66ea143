/**
 * Users this adapter instance read or wrote in the last seconds, so that a
 * session or account created right after (sign-in reads the user, then
 * creates the session) needs no second read of the user.
 *
 * Never decides correctness: every copy taken from here is written under the
 * condition that the user item is still at that version, and re-read when it
 * is not. It belongs to one adapter instance (its `IdentityState`), so two
 * adapters on tables of one name behind different clients never share it.
 */
import type { VersionedUser } from "./versioned-user.js"

const RECENT_MS = 10_000
const RECENT_MAX = 1000

export class RecentUsers {
  private readonly entries = new Map<string, { user: VersionedUser; at: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers `user` (committed state, never a transaction's uncommitted buffer). */
  remember(user: VersionedUser): void {
    this.entries.delete(user.user.id)
    this.entries.set(user.user.id, { user, at: this.now() })
    if (this.entries.size > RECENT_MAX) this.entries.delete(this.entries.keys().next().value!)
  }

  /** The user with this id read or written in the last seconds, if any. */
  get(id: string): VersionedUser | undefined {
    const entry = this.entries.get(id)
    if (!entry) return undefined
    if (this.now() - entry.at > RECENT_MS) {
      this.entries.delete(id)
      return undefined
    }
    return entry.user
  }

  /** Forgets the user (deleted: a user created again with its id starts over at version 0). */
  forget(id: string): void {
    this.entries.delete(id)
  }
}
