/**
 * The commit of a transaction of the identity stores (a Better Auth
 * `transaction()`), repairing stale claims the way a direct write does.
 *
 * Inside a transaction a claim (email, provider account) is buffered with
 * the condition that it is absent; it fails only at the commit. A claim
 * whose owner is gone or no longer has the value (left behind by another
 * program, such as `@auth/dynamodb-adapter`) must never block anyone, so a
 * commit refused by a claim checks that claim against its owner, and when it
 * is stale commits again replacing it (conditioned on the stale owner still
 * holding it). Live claims stay what they are: EMAIL_EXISTS, ACCOUNT_EXISTS.
 */
import { isDynamoAuthAdapterError } from "../errors.js"
import { ownedBy } from "./conditions.js"
import { directScope, type IdentityScope } from "./identity-state.js"
import { claimConflictOf, claimOfLabel } from "./transactions.js"
import { AccountStore } from "./account-store.js"
import { UserStore } from "./user-store.js"
import { claimHeldBy, UniqueClaims } from "./unique-claims.js"

/** Stale claims replaced in one commit at most (each is a value the transaction claims). */
const MAX_REPAIRS = 4

/** Commits the scope's buffer (see the module comment). */
export async function commitTransaction(scope: IdentityScope): Promise<void> {
  const buffer = scope.buffer
  if (!buffer) return
  const direct = directScope(buffer.underlying, scope.state)
  for (let repairs = 0; ; repairs++) {
    try {
      await buffer.commit()
      return
    } catch (error) {
      const conflict = claimConflictOf(error)
      if (!conflict) throw error
      const reason = isDynamoAuthAdapterError(error) ? (error.reasons ?? []).find((r) => r.code === "ConditionalCheckFailed" && r.action && claimOfLabel(r.action)) : undefined
      const stale = repairs < MAX_REPAIRS && reason?.action ? await staleOwner(direct, reason.action) : undefined
      if (stale === undefined || reason === undefined) throw conflict
      buffer.replaceCondition(reason.index, claimOfLabel(reason.action!)?.kind === "unique" ? claimHeldBy(stale) : ownedBy(stale))
    }
  }
}

/** The owner of the stale claim a failed action names, or undefined when the claim is live (or not one this can judge). */
async function staleOwner(scope: IdentityScope, label: string): Promise<string | undefined> {
  const claim = claimOfLabel(label)
  const users = new UserStore(scope)
  if (claim?.kind === "email") return users.staleEmailOwner(claim.email)
  if (claim?.kind === "account") return new AccountStore(scope, users).staleOwner(claim.provider, claim.providerAccountId)
  if (claim?.kind === "unique") return new UniqueClaims(scope.table.names).staleOwner(scope.table, claim.claim)
  return undefined
}
