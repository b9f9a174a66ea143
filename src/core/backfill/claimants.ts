/**
 * Every user that holds what a lookup item would claim, found through GSI1
 * (the official adapter's access path): a legacy table can have two users
 * with one email, or one provider account linked to two users, and the
 * backfill must not pick a winner between them.
 *
 * Emails are claimed case-insensitively, but GSI1 keys them as given, so
 * the users found for `Alice@Example.com` are those stored as
 * `Alice@Example.com` or `alice@example.com`; one stored as
 * `ALICE@example.com` is not among them. It is met when its own item is
 * scanned: its claim exists by then with another owner, and it is reported
 * as a conflict (both ids) — but the claim, written first, stays with the
 * user scanned first.
 */
import type { ItemTable } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import type { PlannedLookup } from "../identity/backfill.js"
import { hasEmail, legacyIndexForms } from "../identity/email-identity.js"

const MAX_CLAIMANTS = 10

function indexKeyCondition(table: ItemTable, keys: Record<string, string>) {
  const { indexPartitionKey, indexSortKey } = table.names
  return {
    expression: "#gpk = :gpk AND #gsk = :gsk",
    names: { "#gpk": indexPartitionKey, "#gsk": indexSortKey },
    values: { ":gpk": keys[indexPartitionKey], ":gsk": keys[indexSortKey] },
  }
}

/** The ids of the users that hold the lookup's email or provider account (sessions: just its own user). One Query. */
export async function claimantsOf(table: ItemTable, lookup: PlannedLookup): Promise<string[]> {
  const item = lookup.put.kind === "put" ? lookup.put.item : {}
  if (lookup.kind === "email") {
    const email = lookup.email ?? String(item.email)
    // GSI1 keys users by their email as given: the user's own form and the lowercased one (see `legacyIndexForms`).
    const pages = await Promise.all(
      legacyIndexForms(email).map((form) =>
        table.queryAll({ index: "gsi", keyCondition: indexKeyCondition(table, table.keysOf("user", { id: "-", email: form })) }, "backfill: users with this email", MAX_CLAIMANTS),
      ),
    )
    // Only users that have the email now: the official adapter leaves GSI1 keys behind when it changes one.
    const users = pages.flat().filter((u) => u.type === ITEM_TYPES.user && hasEmail(u, email))
    return distinct([lookup.userId, ...users.map((u) => String(u.id))])
  }
  if (lookup.kind === "account") {
    const keys = table.keysOf("account", { userId: "-", provider: item.provider, providerAccountId: item.providerAccountId })
    const accounts = await table.queryAll(
      { index: "gsi", keyCondition: indexKeyCondition(table, keys) },
      "backfill: accounts with this provider account",
      MAX_CLAIMANTS,
    )
    return distinct([lookup.userId, ...accounts.map((a) => String(a.userId))])
  }
  return [lookup.userId]
}

function distinct(ids: string[]): string[] {
  return [...new Set(ids)]
}
