/**
 * The claims of a user's unique fields other than the email (Better Auth's
 * `username`, `phoneNumber`, …), planned into the user store's own
 * transactions: create, update, delete (`unique-claims.ts` holds the
 * protocol). The user store calls this module and nothing else of it, so
 * the email claim keeps its own keys and copies.
 *
 * The fields come from the scope (`IdentityScope.uniqueUserFields`, from the
 * running schema). A front-end that knows none (Auth.js) writes no claim;
 * a claim whose user was deleted by such a front-end is stale, and stale
 * claims never block (invariant 3 of `unique-claims.ts`).
 */
import type { WriteAction } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import type { IdentityScope } from "./identity-state.js"
import type { StoredRecord } from "./stored-record.js"
import { UniqueClaims } from "./unique-claims.js"

export class UserUniqueClaims {
  private readonly claims: UniqueClaims
  private readonly fieldSets: readonly (readonly string[])[]
  /** Stale owners found for this store's writes (see `run`). */
  private stale: ReadonlyMap<string, string> = new Map()

  constructor(private readonly scope: IdentityScope) {
    this.claims = new UniqueClaims(scope.table.names)
    this.fieldSets = (scope.uniqueUserFields ?? []).filter((f) => f !== "email").map((f) => [f])
  }

  /** Whether `set` changes a claimed field (the update must then know the value it replaces). */
  touches(set: StoredRecord): boolean {
    return this.fieldSets.some(([field]) => field! in set)
  }

  /** The claim writes for a user going from `before` to `after` (undefined for a create or a delete). */
  plan(id: string, before: StoredRecord | undefined, after: StoredRecord | undefined): WriteAction[] {
    if (this.fieldSets.length === 0) return []
    const owner = { id, key: this.scope.table.keysOf("user", { id }) }
    return this.claims.planMoves("user", ITEM_TYPES.user, this.fieldSets, owner, before, after, this.stale)
  }

  /** Runs a user write, once more for each claim it found held by a stale owner (whose replacement `plan` then writes). */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.fieldSets.length === 0 || this.scope.buffer) return work()
    return this.claims.withStaleRepair(this.scope.table, (stale) => {
      this.stale = stale
      return work()
    })
  }
}
