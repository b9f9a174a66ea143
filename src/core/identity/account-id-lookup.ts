/**
 * Finds an account by its `id` with GetItems instead of a Scan. Accounts live
 * under their user (pk `USER#<userId>`, sk `ACCOUNT#<provider>#<id>`), so
 * their own id is not in any key; Better Auth updates accounts by id on every
 * returning OAuth sign-in. A lookup item pk = sk = `ACCOUNT_ID#<id>` holds the
 * account's key parts; it is written and deleted in the same transaction as
 * the account. Accounts written without one (by Auth.js, or before this item
 * existed) are found by a Scan once and get their lookup item then, unless
 * the table is known to have every lookup item (`identity/table-mode.ts`).
 */
import { resolveGenericLayout } from "../models/generic-layout.js"
import { createGenericKeyBuilder, type GenericKeyBuilder } from "../models/generic-keys.js"
import type { Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
import type { TableNames } from "../../table/names.js"
import type { StoredRecord } from "./stored-record.js"
import type { TableMode } from "./table-mode.js"

export const ACCOUNT_ID_LOOKUP_TYPE = "ACCOUNT_ID"

const builders = new WeakMap<TableNames, GenericKeyBuilder>()

function keyBuilder(names: TableNames): GenericKeyBuilder {
  let builder = builders.get(names)
  if (!builder) {
    const layout = resolveGenericLayout({ name: "accountId", fields: {} }, { kind: ACCOUNT_ID_LOOKUP_TYPE, index: false })
    builder = createGenericKeyBuilder(names, layout)
    builders.set(names, builder)
  }
  return builder
}

export function accountIdLookupKey(names: TableNames, id: string): Key {
  const keys = keyBuilder(names)({ id })
  return { [names.partitionKey]: keys[names.partitionKey]!, [names.sortKey]: keys[names.sortKey]! }
}

export interface AccountKeyParts {
  userId: string
  provider: string
  providerAccountId: string
}

/** The put of an account's id lookup item (for the account's own transaction). */
export function planPutAccountIdLookup(names: TableNames, account: StoredRecord): WriteAction | undefined {
  if (typeof account.id !== "string" || account.id === "") return undefined
  return {
    kind: "put",
    item: {
      ...accountIdLookupKey(names, account.id),
      type: ACCOUNT_ID_LOOKUP_TYPE,
      id: account.id,
      userId: account.userId,
      provider: account.provider,
      providerAccountId: account.providerAccountId,
    },
    label: `put account id lookup ${account.id}`,
  }
}

/** The delete of an account's id lookup item (a no-op when there is none). */
export function planDeleteAccountIdLookup(names: TableNames, account: StoredRecord): WriteAction | undefined {
  if (typeof account.id !== "string" || account.id === "") return undefined
  return { kind: "delete", key: accountIdLookupKey(names, account.id), label: `delete account id lookup ${account.id}` }
}

/** The key parts of the account with this id, from its lookup item; undefined when there is no lookup item. */
export async function readAccountIdLookup(table: ItemTable, id: string): Promise<AccountKeyParts | undefined> {
  const item: Item | undefined = await table.get(accountIdLookupKey(table.names, id), "get account id lookup")
  if (!item || typeof item.userId !== "string" || typeof item.provider !== "string" || typeof item.providerAccountId !== "string") return undefined
  return { userId: item.userId, provider: item.provider, providerAccountId: item.providerAccountId }
}

/**
 * The account with this id: its id lookup item, then the account (two
 * GetItems). Without a lookup item, `scanAccounts` finds it the slow way and
 * its lookup item is written for next time, unless every account of the
 * table has one (then the answer is none, with no Scan).
 */
export async function findAccountById(
  table: ItemTable,
  id: string,
  accounts: { get(userId: string, provider: string, providerAccountId: string): Promise<StoredRecord | null> },
  mode: Pick<TableMode, "fallbackNeeded">,
  scanAccounts: () => Promise<StoredRecord[]>,
): Promise<StoredRecord[]> {
  const parts = await readAccountIdLookup(table, id)
  if (parts) {
    const account = await accounts.get(parts.userId, parts.provider, parts.providerAccountId)
    return account && account.id === id ? [account] : []
  }
  if (!(await mode.fallbackNeeded())) return []
  // No lookup item: an account written by Auth.js (or before lookups existed). Find it once, the slow way, and index it.
  const found = (await scanAccounts()).filter((account) => account.id === id)
  const lookup = found[0] && planPutAccountIdLookup(table.names, found[0])
  if (lookup) await table.write(lookup, "write missing account id lookup")
  return found
}
