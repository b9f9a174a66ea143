/**
 * Which lookup item an item of a user's partition needs: a user its email
 * lookup and its user directory entry, an account its provider-account lookup, a session its token item.
 * Everything else (lookup items themselves, verification tokens,
 * authenticators, generic models) needs none.
 */
import type { Item, ItemTable } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { isExpired } from "../identity/stored-record.js"
import { planAccountIdLookup, planAccountLookup, planDirectoryEntry, planEmailLookup, planSessionTokenItem, type PlannedLookup } from "../identity/backfill.js"

const MARK = "\u0000"

/** The constant part of a key template: the key built with a marker as its composite, cut at the marker. */
function prefixOf(table: ItemTable, kind: "user" | "account" | "sessionToken", field: string, composite: Record<string, string>): string {
  const key = table.keysOf(kind, composite)[field]!
  return key.slice(0, key.indexOf(MARK))
}

/** The key prefixes the backfill recognises items by, from the entities' own templates. */
export interface KeyPrefixes {
  /** Partition key of every item of a user (`USER#`). */
  userPartition: string
  /** Sort key of an account item (`ACCOUNT#`). */
  account: string
  /** Partition key of a session token item (`SESSION#`). */
  sessionToken: string
}

export function keyPrefixes(table: ItemTable): KeyPrefixes {
  const { partitionKey, sortKey } = table.names
  return {
    userPartition: prefixOf(table, "user", partitionKey, { id: MARK }),
    account: prefixOf(table, "account", sortKey, { userId: "-", provider: MARK, providerAccountId: "-" }),
    sessionToken: prefixOf(table, "sessionToken", partitionKey, { sessionToken: MARK }),
  }
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== ""
}

export interface NeededLookup {
  lookup: PlannedLookup
  describe: string
}

export type NeededLookups = NeededLookup[] | { expiredSession: true }

/**
 * The lookups `item` needs (none for most items). Expired sessions need none (TTL
 * deletes them; a token item would only cost a write) and are reported as such.
 * `describe` names the lookup for a person (emails and provider accounts,
 * never a session token).
 */
export function neededLookups(table: ItemTable, prefixes: KeyPrefixes, item: Item, now: Date): NeededLookups {
  const { partitionKey, sortKey } = table.names
  const pk = item[partitionKey]
  const sk = item[sortKey]
  if (typeof pk !== "string" || typeof sk !== "string" || !pk.startsWith(prefixes.userPartition)) return []
  if (item.type === ITEM_TYPES.user && pk === sk && nonEmptyString(item.id)) {
    const entry: NeededLookup = { lookup: planDirectoryEntry(table, item.id), describe: `user directory entry of user "${item.id}"` }
    if (!nonEmptyString(item.email)) return [entry]
    return [{ lookup: planEmailLookup(table, item.email, item.id), describe: `email "${item.email}"` }, entry]
  }
  if (item.type === ITEM_TYPES.session && nonEmptyString(item.sessionToken) && nonEmptyString(item.userId)) {
    if (isExpired(item, now)) return { expiredSession: true }
    return [
      {
        lookup: planSessionTokenItem(table, item as Item & { sessionToken: string; userId: string }),
        describe: `session token item of a session of user "${item.userId}"`,
      },
    ]
  }
  // Accounts keep the Auth.js account type in `type`, so they are known by their sort key.
  if (sk.startsWith(prefixes.account) && nonEmptyString(item.provider) && nonEmptyString(item.providerAccountId) && nonEmptyString(item.userId)) {
    const account = item as Item & { userId: string }
    const byId = planAccountIdLookup(table, account)
    return [
      {
        lookup: planAccountLookup(table, item.provider, item.providerAccountId, item.userId),
        describe: `provider account "${item.provider}#${item.providerAccountId}"`,
      },
      ...(byId ? [{ lookup: byId, describe: `account id "${String(item.id)}"` }] : []),
    ]
  }
  return []
}

/** Whether `item` is a session token item (pk = sk = `SESSION#<token>`), which the backfill checks against its session item. */
export function isTokenItem(table: ItemTable, prefixes: KeyPrefixes, item: Item): boolean {
  const { partitionKey, sortKey } = table.names
  const pk = item[partitionKey]
  return (
    item.type === ITEM_TYPES.sessionToken &&
    typeof pk === "string" &&
    pk === item[sortKey] &&
    pk.startsWith(prefixes.sessionToken) &&
    nonEmptyString(item.sessionToken) &&
    nonEmptyString(item.userId)
  )
}
