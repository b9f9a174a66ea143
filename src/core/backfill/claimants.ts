/**
 * Every user that holds what a lookup item would claim, found through GSI1
 * (the official adapter's access path): a legacy table can have two users
 * with one email, or one provider account linked to two users, and the
 * backfill must not pick a winner between them.
 */
import type { ItemTable } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import type { PlannedLookup } from "../identity/backfill.js"

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
    const keys = table.keysOf("user", { id: "-", email: item.email })
    const users = await table.queryAll({ index: "gsi", keyCondition: indexKeyCondition(table, keys) }, "backfill: users with this email", MAX_CLAIMANTS)
    return distinct([lookup.userId, ...users.filter((u) => u.type === ITEM_TYPES.user).map((u) => String(u.id))])
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
