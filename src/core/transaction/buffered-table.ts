/**
 * An `ItemTable` whose writes are collected instead of sent, and committed
 * together as one TransactWriteItems (all or nothing). Reads go to the table
 * and are then overlaid with the buffered writes, so code running inside a
 * transaction sees its own changes, exactly as the stores and the planner
 * expect from any `ItemTable`.
 *
 * DynamoDB forbids two actions on one item in a transaction, so a second
 * write to an item already in the buffer is folded into the first: the item's
 * buffered state is written once (as a put, or a delete), under the first
 * action's condition, which is the one that was stated against the table.
 */
import { randomUUID } from "node:crypto"
import { DynamoAuthAdapterError } from "../errors.js"
import type { Logger } from "../logger.js"
import type { KeyBuilder } from "../../table/entities.js"
import type { TableNames } from "../../table/names.js"
import type { BatchWriteAction, Expression, Item, ItemTable, Key, QueryRequest, WriteAction } from "../client/table-client.js"
import { applyUpdate, compileCondition } from "./expression-eval.js"

const MAX_TRANSACTION_ACTIONS = 100

interface BufferedItem {
  key: Key
  /** The item as the transaction leaves it; undefined when deleted. */
  state: Item | undefined
  /** The first action on this item, as written by the caller. */
  first: WriteAction
  /** More than one action touched the item: send its final state. */
  folded: boolean
}

export class BufferedTable implements ItemTable {
  readonly names: TableNames
  readonly keysOf: KeyBuilder
  readonly logger: Logger
  private readonly buffer = new Map<string, BufferedItem>()
  private readonly order: string[] = []
  private committed = false
  private readonly committedTasks: Array<(base: ItemTable) => Promise<void>> = []

  constructor(
    private readonly base: ItemTable,
    private readonly what = "transaction",
  ) {
    this.names = base.names
    this.keysOf = base.keysOf
    this.logger = base.logger
  }

  /**
   * Runs `task` against the table this one buffers once the transaction has
   * committed (never when it fails or is abandoned), before `commit` returns:
   * work that must follow the commit, such as refreshing copies of a user.
   */
  afterCommit(task: (base: ItemTable) => Promise<void>): void {
    this.committedTasks.push(task)
  }

  /** The table whose writes this one buffers. */
  get underlying(): ItemTable {
    return this.base
  }

  /**
   * Replaces the condition of the action at `index` of `actions()` (a claim
   * found stale after a failed commit, to be replaced rather than required
   * absent), so that the transaction can be committed again.
   */
  replaceCondition(index: number, condition: Expression): void {
    const entry = this.buffer.get(this.order[index] ?? "")
    if (!entry) throw new DynamoAuthAdapterError("INVALID_INPUT", `${this.what}: no action at index ${index}. Pass an index of actions().`)
    entry.first = { ...entry.first, condition } as WriteAction
    this.committed = false
  }

  /** The kind of the first buffered write to this item, or undefined when the transaction has not touched it. */
  pendingKind(key: Key): WriteAction["kind"] | undefined {
    return this.buffer.get(this.id(key))?.first.kind
  }

  /** Number of actions the commit will send. */
  get size(): number {
    return this.buffer.size
  }

  private id(key: Record<string, unknown>): string {
    return `${String(key[this.names.partitionKey])}\u0000${String(key[this.names.sortKey])}`
  }

  private keyOfItem(item: Item): Key {
    return { [this.names.partitionKey]: String(item[this.names.partitionKey]), [this.names.sortKey]: String(item[this.names.sortKey]) }
  }

  private assertOpen(): void {
    if (this.committed) {
      throw new DynamoAuthAdapterError("INVALID_INPUT", `${this.what}: this transaction has already been committed. Start a new one.`)
    }
  }

  /** The item as this transaction sees it now. */
  private async current(key: Key, what: string): Promise<Item | undefined> {
    const buffered = this.buffer.get(this.id(key))
    if (buffered) return buffered.state
    return this.base.get(key, what, true)
  }

  private record(action: WriteAction, key: Key, state: Item | undefined): void {
    const id = this.id(key)
    const existing = this.buffer.get(id)
    if (existing) {
      existing.state = state
      existing.folded = true
      return
    }
    this.buffer.set(id, { key, state, first: action, folded: false })
    this.order.push(id)
  }

  async get(key: Key, what: string): Promise<Item | undefined> {
    return this.current(key, what)
  }

  /**
   * Buffers the write; returns what a direct write would (old item for a
   * delete, new item for an update), except that a put returns the old item
   * only when this transaction wrote it.
   */
  async write(action: WriteAction, what: string): Promise<Item | undefined> {
    this.assertOpen()
    switch (action.kind) {
      case "put": {
        // No read for a put: its old item is returned only when this transaction wrote it
        // (nothing in the library needs more, and a GetItem per buffered put would double a sign-up's requests).
        const key = this.keyOfItem(action.item)
        const old = this.buffer.get(this.id(key))?.state
        this.record(action, key, { ...action.item })
        return old
      }
      case "delete": {
        const old = await this.current(action.key, what)
        this.record(action, action.key, undefined)
        return old
      }
      case "update": {
        const old = await this.current(action.key, what)
        const next = applyUpdate(old ?? { ...action.key }, action.update)
        this.record(action, action.key, next)
        return next
      }
      case "check": {
        const id = this.id(action.key)
        if (!this.buffer.has(id)) {
          this.buffer.set(id, { key: action.key, state: await this.base.get(action.key, what, true), first: action, folded: false })
          this.order.push(id)
        }
        return undefined
      }
    }
  }

  /**
   * Buffers each action. Nothing is returned, so a delete is recorded
   * without reading the item it removes (`write` reads it only to return
   * it): a cascade of fifty deletes inside a transaction costs no GetItem.
   */
  async transactWrite(actions: WriteAction[], what: string): Promise<void> {
    for (const action of actions) await this.writeDiscarding(action, what)
  }

  async batchWrite(actions: BatchWriteAction[], what: string): Promise<void> {
    for (const action of actions) {
      await this.writeDiscarding(action.kind === "put" ? { ...action, label: `Put (${what})` } : { ...action, label: `Delete (${what})` }, what)
    }
  }

  /** `write` for a caller that ignores its result. */
  private async writeDiscarding(action: WriteAction, what: string): Promise<void> {
    if (action.kind !== "delete") {
      await this.write(action, what)
      return
    }
    this.assertOpen()
    this.record(action, action.key, undefined)
  }

  async batchGet(keys: Key[], what: string): Promise<Item[]> {
    const unbuffered = keys.filter((k) => !this.buffer.has(this.id(k)))
    const fetched = new Map((await this.base.batchGet(unbuffered, what)).map((item) => [this.id(item), item]))
    return keys
      .map((k) => (this.buffer.has(this.id(k)) ? this.buffer.get(this.id(k))!.state : fetched.get(this.id(k))))
      .filter((item): item is Item => item !== undefined)
  }

  /** Base results with buffered items replaced, removed or added, then re-checked against the request. */
  private overlay(items: Item[], matches: (item: Item) => boolean): Item[] {
    const out: Item[] = []
    const seen = new Set<string>()
    for (const item of items) {
      const id = this.id(item)
      seen.add(id)
      const buffered = this.buffer.get(id)
      if (!buffered) out.push(item)
      else if (buffered.state && matches(buffered.state)) out.push(buffered.state)
    }
    for (const id of this.order) {
      const buffered = this.buffer.get(id)!
      if (!seen.has(id) && buffered.state && matches(buffered.state)) out.push(buffered.state)
    }
    return out
  }

  async queryAll(request: QueryRequest, what: string, max = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const base = await this.base.queryAll({ ...request, limit: undefined }, what)
    const key = compileCondition(request.keyCondition)
    const filter = request.filter ? compileCondition(request.filter) : () => true
    const sortKey = request.index === "gsi" ? this.names.indexSortKey : this.names.sortKey
    const items = this.overlay(base, (item) => key(item) && filter(item)).sort((a, b) => {
      const x = String(a[sortKey] ?? "")
      const y = String(b[sortKey] ?? "")
      const order = x < y ? -1 : x > y ? 1 : 0
      return request.scanForward === false ? -order : order
    })
    return items.slice(0, Math.min(max, request.limit ?? Number.POSITIVE_INFINITY))
  }

  /** Inside a transaction a page is the whole (overlaid) result: there is no key to continue from. */
  async queryPage(request: QueryRequest, what: string): Promise<{ items: Item[]; lastKey: Item | undefined }> {
    return { items: await this.queryAll(request, what), lastKey: undefined }
  }

  async scanAll(filter: Expression | undefined, what: string, max = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const base = await this.base.scanAll(filter, what)
    const matches = filter ? compileCondition(filter) : () => true
    return this.overlay(base, matches).slice(0, max)
  }

  /** The actions the commit will send, in first-touch order. */
  actions(): WriteAction[] {
    const actions: WriteAction[] = []
    for (const id of this.order) {
      const { key, state, first, folded } = this.buffer.get(id)!
      if (!folded) {
        actions.push(first)
        continue
      }
      const condition = first.condition
      const label = `${first.label} (and later changes in this transaction)`
      actions.push(state ? { kind: "put", item: state, ...(condition ? { condition } : {}), label } : { kind: "delete", key, ...(condition ? { condition } : {}), label })
    }
    return actions
  }

  /**
   * Sends every buffered write as one TransactWriteItems with a fresh
   * ClientRequestToken (a commit the SDK resends is applied once; the
   * TableClient retries a cancellation by conflicts or throttling, each retry
   * with a token of its own). Over 100 actions is `TRANSACTION_TOO_LARGE`,
   * thrown before anything is sent.
   */
  async commit(clientRequestToken: string = randomUUID()): Promise<void> {
    this.assertOpen()
    const actions = this.actions()
    if (actions.length > MAX_TRANSACTION_ACTIONS) {
      throw new DynamoAuthAdapterError(
        "TRANSACTION_TOO_LARGE",
        `${this.what}: ${actions.length} writes in one transaction; DynamoDB allows ${MAX_TRANSACTION_ACTIONS}. Nothing was written. Split the work into smaller transactions.`,
      )
    }
    this.committed = true
    await this.base.transactWrite(actions, this.what, clientRequestToken)
    for (const task of this.committedTasks) await task(this.base)
  }
}

/**
 * Runs `work` against a buffered table and commits its writes in one
 * TransactWriteItems when it returns; when it throws, nothing is written.
 */
export async function runInTransaction<T>(table: ItemTable, work: (tx: BufferedTable) => Promise<T>, what = "transaction"): Promise<T> {
  const tx = new BufferedTable(table, what)
  const result = await work(tx)
  await tx.commit()
  return result
}
