/**
 * The user directory: one entry per user, so that the users are listed (an
 * admin's `listUsers`, a `count` of users) by reading the users' own items
 * only, never by a Scan of the whole table.
 *
 * An entry is pk = `USER_DIRECTORY#<shard>`, sk = `<userId>`, type
 * `USER_DIRECTORY`. The shard (0…3, FNV-1a of the id) spreads sign-ups over
 * four partitions, so no single partition takes every sign-up's write.
 *
 * Invariants:
 * 1. An entry is put in the same TransactWriteItems that creates its user,
 *    and deleted in the same TransactWriteItems that deletes it, whichever
 *    framework asked: no listing of a table whose directory is complete
 *    misses a user whose creation returned.
 * 2. The entry is never the truth about a user: a listing reads every entry
 *    (consistent Queries of the four shards), then the users by key
 *    (BatchGetItem), and an entry whose user is gone is skipped. Stale
 *    entries (a user deleted by `@auth/dynamodb-adapter`, which knows
 *    nothing of them) cost a key in a BatchGetItem, never a wrong answer.
 * 3. The directory is trusted only where the table says it is complete (the
 *    `userDirectory` attribute of the table metadata item, written by
 *    `createTable`, by an instance that finds the table empty, and by
 *    `backfill --mark-complete` once it has written the missing entries):
 *    elsewhere users made by the official adapter, or by a version of this
 *    library before the directory, have no entry, and a listing Scans.
 */
import type { Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"

/** Partitions the entries are spread over. Changing it would strand entries: it is part of the table layout. */
export const DIRECTORY_SHARDS = 4

/** The shard of a user's entry: FNV-1a (32 bits) of its id, modulo `DIRECTORY_SHARDS`. */
export function directoryShardOf(userId: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return String(hash % DIRECTORY_SHARDS)
}

type DirectoryTable = Pick<ItemTable, "names" | "keysOf" | "queryAll" | "batchGet">

/** The entries of one table: their writes, planned into the user's own transactions, and the listing. */
export class UserDirectory {
  constructor(private readonly table: Pick<ItemTable, "names" | "keysOf">) {}

  /** The key of the entry of user `userId`. */
  entryKey(userId: string): Key {
    const { partitionKey, sortKey } = this.table.names
    const keys = this.table.keysOf("userDirectory", { shard: directoryShardOf(userId), userId })
    return { [partitionKey]: keys[partitionKey]!, [sortKey]: keys[sortKey]! }
  }

  /** The put of the entry, for the user's creation transaction (an entry left by an earlier user with this id is the same entry: no condition). */
  planAdd(userId: string): WriteAction {
    return { kind: "put", item: { ...this.entryKey(userId), type: ITEM_TYPES.userDirectory, userId }, label: `put user directory entry ${userId}` }
  }

  /** The delete of the entry, for the user's deletion transaction (deleting a missing entry is a no-op). */
  planRemove(userId: string): WriteAction {
    return { kind: "delete", key: this.entryKey(userId), label: `delete user directory entry ${userId}` }
  }
}

/** The ids of every entry: one consistent Query per shard (all pages), in parallel. */
export async function listDirectoryIds(table: DirectoryTable, what = "list the user directory"): Promise<string[]> {
  const { partitionKey } = table.names
  const shards = Array.from({ length: DIRECTORY_SHARDS }, (_, shard) => table.keysOf("userDirectory", { shard: String(shard), userId: "-" })[partitionKey]!)
  const pages = await Promise.all(
    shards.map((partition) =>
      table.queryAll({ keyCondition: { expression: "#pk = :pk", names: { "#pk": partitionKey }, values: { ":pk": partition } }, consistent: true }, what),
    ),
  )
  const ids = new Set<string>()
  for (const item of pages.flat()) if (item.type === ITEM_TYPES.userDirectory && typeof item.userId === "string" && item.userId !== "") ids.add(item.userId)
  return [...ids]
}

/** Every user item the directory names (invariant 2: entries whose user is gone are skipped). */
export async function listDirectoryUsers(table: DirectoryTable): Promise<Item[]> {
  const ids = await listDirectoryIds(table)
  if (ids.length === 0) return []
  const items = await table.batchGet(
    ids.map((id) => {
      const { partitionKey, sortKey } = table.names
      const key = table.keysOf("user", { id })
      return { [partitionKey]: key[partitionKey]!, [sortKey]: key[sortKey]! }
    }),
    "get the users of the user directory",
  )
  return items.filter((item) => item.type === ITEM_TYPES.user)
}
