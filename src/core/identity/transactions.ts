/**
 * Runs a store's writes as one TransactWriteItems and turns a cancelled claim
 * into the error the caller can act on (`EMAIL_EXISTS`, `ACCOUNT_EXISTS`).
 *
 * Claims are recognised by their action label, not by position, so the
 * mapping also works when a Better Auth transaction buffers several stores'
 * actions and commits them later: call `claimConflictOf(error)` on its error.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError, type DynamoAuthErrorCode } from "../errors.js"
import type { ItemTable, WriteAction } from "../table-client.js"
import { backoffDelay, sleep } from "../backoff.js"

const CLAIM_PREFIX = {
  email: "claim email ",
  account: "claim provider account ",
  authenticator: "claim authenticator ",
} as const

export const claimLabel = {
  email: (email: string) => `${CLAIM_PREFIX.email}${email}`,
  account: (provider: string, providerAccountId: string) => `${CLAIM_PREFIX.account}${provider}#${providerAccountId}`,
  authenticator: (credentialID: string) => `${CLAIM_PREFIX.authenticator}${credentialID}`,
}

/**
 * The typed error for a transaction cancelled because a uniqueness claim
 * failed, or undefined when the cancellation had another cause.
 */
export function claimConflictOf(error: unknown): DynamoAuthAdapterError | undefined {
  if (!isDynamoAuthAdapterError(error, "TRANSACTION_FAILED")) return undefined
  for (const reason of error.reasons ?? []) {
    if (reason.code !== "ConditionalCheckFailed" || !reason.action) continue
    const conflict = conflictFor(reason.action)
    if (conflict) return new DynamoAuthAdapterError(conflict.code, conflict.message, { cause: error, reasons: error.reasons })
  }
  return undefined
}

function conflictFor(label: string): { code: DynamoAuthErrorCode; message: string } | undefined {
  if (label.startsWith(CLAIM_PREFIX.email)) {
    const email = label.slice(CLAIM_PREFIX.email.length)
    return {
      code: "EMAIL_EXISTS",
      message: `A user with the email "${email}" already exists; nothing was written. Sign that user in, or link the new account to them.`,
    }
  }
  if (label.startsWith(CLAIM_PREFIX.account)) {
    const account = label.slice(CLAIM_PREFIX.account.length)
    return {
      code: "ACCOUNT_EXISTS",
      message: `The provider account "${account}" is already linked to a user; nothing was written. Unlink it from that user first.`,
    }
  }
  if (label.startsWith(CLAIM_PREFIX.authenticator)) {
    const credential = label.slice(CLAIM_PREFIX.authenticator.length)
    return {
      code: "CONDITIONAL_CHECK_FAILED",
      message: `An authenticator with the credential id "${credential}" already exists; nothing was written. Register a new credential.`,
    }
  }
  return undefined
}

function onlyConflicts(error: unknown): boolean {
  if (!isDynamoAuthAdapterError(error, "TRANSACTION_FAILED")) return false
  const failed = (error.reasons ?? []).filter((r) => r.code !== "None")
  return failed.length > 0 && failed.every((r) => r.code === "TransactionConflict")
}

const CONFLICT_ATTEMPTS = 6

/**
 * Sends `actions` through `table.transactWrite`. A transaction that lost a
 * race to another one in flight (`TransactionConflict` only) is retried, so
 * that of N concurrent claims exactly one wins and the others see the
 * claim taken (`ConditionalCheckFailed` → `EMAIL_EXISTS`/`ACCOUNT_EXISTS`).
 */
export async function transact(table: ItemTable, actions: WriteAction[], what: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await table.transactWrite(actions, what)
      return
    } catch (error) {
      const conflict = claimConflictOf(error)
      if (conflict) throw conflict
      if (onlyConflicts(error) && attempt + 1 < CONFLICT_ATTEMPTS) {
        await sleep(backoffDelay(attempt + 1))
        continue
      }
      throw error
    }
  }
}

/** True for the AWS error of a single conditional write whose condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "ConditionalCheckFailedException"
}
