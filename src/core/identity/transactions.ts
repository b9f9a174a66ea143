/**
 * Runs a store's writes as one TransactWriteItems and turns a cancelled claim
 * into the error the caller can act on (`EMAIL_EXISTS`, `ACCOUNT_EXISTS`).
 *
 * Claims are recognised by their action label, not by position, so the
 * mapping also works when a Better Auth transaction buffers several stores'
 * actions and commits them later: call `claimConflictOf(error)` on its error.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError, type DynamoAuthErrorCode } from "../errors.js"
import type { ItemTable, WriteAction } from "../client/table-client.js"

const CLAIM_PREFIX = {
  email: "claim email ",
  account: "claim provider account ",
  authenticator: "claim authenticator ",
  unique: "claim unique ",
} as const

export const claimLabel = {
  email: (email: string) => `${CLAIM_PREFIX.email}${email}`,
  account: (provider: string, providerAccountId: string) => `${CLAIM_PREFIX.account}${provider}#${providerAccountId}`,
  authenticator: (credentialID: string) => `${CLAIM_PREFIX.authenticator}${credentialID}`,
  /** A claim of `unique-claims.ts`: `claim unique <model>.<fields> <claim composite>`. */
  unique: (model: string, fields: readonly string[], composite: string) => `${CLAIM_PREFIX.unique}${model}.${fields.join(",")} ${composite}`,
}

/** The value a claim action's label names (see `claimLabel`), or undefined for any other label. */
export function claimOfLabel(label: string):
  | { kind: "email"; email: string }
  | { kind: "account"; provider: string; providerAccountId: string }
  | { kind: "authenticator"; credentialID: string }
  | { kind: "unique"; model: string; fields: string; claim: string }
  | undefined {
  // A write folded with later ones in a transaction keeps its label, with a suffix.
  const base = label.replace(/ \(and later changes in this transaction\)$/, "")
  if (base.startsWith(CLAIM_PREFIX.email)) return { kind: "email", email: base.slice(CLAIM_PREFIX.email.length) }
  if (base.startsWith(CLAIM_PREFIX.unique)) {
    const rest = base.slice(CLAIM_PREFIX.unique.length)
    const space = rest.indexOf(" ")
    const target = rest.slice(0, space)
    const dot = target.indexOf(".")
    return { kind: "unique", model: target.slice(0, dot), fields: target.slice(dot + 1), claim: rest.slice(space + 1) }
  }
  if (base.startsWith(CLAIM_PREFIX.authenticator)) return { kind: "authenticator", credentialID: base.slice(CLAIM_PREFIX.authenticator.length) }
  if (base.startsWith(CLAIM_PREFIX.account)) {
    const value = base.slice(CLAIM_PREFIX.account.length)
    const split = value.indexOf("#")
    if (split < 0) return undefined
    return { kind: "account", provider: value.slice(0, split), providerAccountId: value.slice(split + 1) }
  }
  return undefined
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
    if (conflict) return new DynamoAuthAdapterError(conflict.code, conflict.message, { cause: error, reasons: error.reasons, ...(conflict.details ? { details: conflict.details } : {}) })
  }
  return undefined
}

function conflictFor(label: string): { code: DynamoAuthErrorCode; message: string; details?: Record<string, unknown> } | undefined {
  const claim = claimOfLabel(label)
  if (claim?.kind === "unique") {
    const value = claim.claim.slice(claim.claim.indexOf("#", claim.claim.indexOf("#") + 1) + 1)
    return {
      code: "UNIQUE_VIOLATION",
      // SQL's wording, so that code written against Better Auth's SQL adapters recognises it.
      message: `UNIQUE constraint failed: ${claim.model}.${claim.fields} ("${value}" is already taken); nothing was written. Choose another value.`,
      details: { model: claim.model, fields: claim.fields.split(","), claim: claim.claim },
    }
  }
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

/**
 * Sends `actions` through `table.transactWrite`, with a failed uniqueness
 * claim as `EMAIL_EXISTS`/`ACCOUNT_EXISTS`. Of N concurrent claims exactly one
 * wins: the others' transactions, cancelled by the conflict, are retried by
 * the TableClient (`client/retry.ts`, the one place that retries) until the
 * winner has committed, and then fail on the claim's condition.
 */
export async function transact(table: ItemTable, actions: WriteAction[], what: string): Promise<void> {
  try {
    await table.transactWrite(actions, what)
  } catch (error) {
    throw claimConflictOf(error) ?? error
  }
}

/** True for the AWS error of a single conditional write whose condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "ConditionalCheckFailedException"
}
