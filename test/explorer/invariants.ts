/**
 * The invariants checked after every schedule, on the table itself (a raw
 * Scan through a client the explorer does not control) and through every
 * read of every front-end instance of the scenario. In terms of the public
 * API and the item layout only:
 *
 * - I1 no read returns a user older than the last update that returned:
 *   a read that started after updateUser returned shows the fields it set.
 * - I2 a deleted user is gone: once deleteUser returned, or once its user
 *   item is gone, no session logs it in and no email or provider account
 *   finds it.
 * - I3 at most one user per email and per provider account; every live
 *   user's email and every account item is claimed by its own user (or a
 *   second sign-up could take it); every other claim is harmless: a new
 *   sign-up with that email, a new link of that provider account, succeeds.
 * - I4 every copy of a user (`user` in token items and claims) equals its
 *   user item, unless it sits in an item nobody uses (the token of a
 *   session that was never handed out, or that has expired).
 * - I5 every operation that failed failed with a typed error (a
 *   DynamoAuthAdapterError, or Better Auth's own answer), unless it was
 *   killed; a throttled request is retried, and fails as THROTTLED at worst.
 *   No operation hangs.
 */
import { DynamoDBDocument, ScanCommand } from "@aws-sdk/lib-dynamodb"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoAuthAdapterError } from "../../src/core/errors.js"
import { COPY_EXPIRY_MARGIN_S } from "../../src/core/identity/user-copies.js"
import type { FrontEnd } from "./front-ends.js"
import { linkToNewUser, signUpWithEmail, userByAccount, userByEmail, userOfSession } from "./front-ends.js"
import type { Journal, ReadEntry, UserView } from "./journal.js"
import type { ScheduleRun } from "./scheduler.js"
import { describeError } from "./scheduler.js"

type Item = Record<string, unknown>

/** Attributes of a user item that are not the user (copies leave them out). */
const NOT_COPIED = new Set(["pk", "sk", "GSI1PK", "GSI1SK", "type", "userVersion", "userLinks"])

export interface CheckTarget {
  tableName: string
  /** A client with no hold middleware. */
  inspector: DynamoDBClient
  /** Every front-end instance of the scenario: each one's reads are checked. */
  readers: readonly FrontEnd[]
  /** The schedule's namespace: every key of its items contains it. */
  ns: string
  journal: Journal
  run: ScheduleRun
}

interface TableState {
  items: Item[]
  users: Map<string, Item>
  byKey: Map<string, Item>
}

async function scanNamespace(target: CheckTarget): Promise<TableState> {
  const document = DynamoDBDocument.from(target.inspector)
  const items: Item[] = []
  let ExclusiveStartKey: Item | undefined
  do {
    const page = await document.send(
      new ScanCommand({
        TableName: target.tableName,
        ConsistentRead: true,
        FilterExpression: "contains(#pk, :ns)",
        ExpressionAttributeNames: { "#pk": "pk" },
        ExpressionAttributeValues: { ":ns": target.ns },
        ExclusiveStartKey,
      }),
    )
    items.push(...((page.Items ?? []) as Item[]))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  // Tokens Better Auth generated carry no namespace: their token items are read by key.
  for (const { token } of target.journal.sessions.filter((session) => !session.token.includes(target.ns))) {
    const key = `SESSION#${token}`
    const found = await document.get({ TableName: target.tableName, Key: { pk: key, sk: key }, ConsistentRead: true })
    if (found.Item) items.push(found.Item)
  }
  const users = new Map<string, Item>()
  const byKey = new Map<string, Item>()
  for (const item of items) {
    byKey.set(`${String(item.pk)}|${String(item.sk)}`, item)
    if (item.type === "USER" && item.pk === item.sk && typeof item.id === "string") users.set(item.id, item)
  }
  return { items, users, byKey }
}

const lookup = (state: TableState, key: string) => state.byKey.get(`${key}|${key}`)
const isAccountItem = (item: Item) => String(item.pk).startsWith("USER#") && String(item.sk).startsWith("ACCOUNT#")
const show = (value: unknown) => JSON.stringify(value) ?? "undefined"

/** Reads every token, email and provider account of the schedule through every front-end, into the journal. */
async function readEverything(target: CheckTarget, state: TableState): Promise<string[]> {
  const { journal, readers } = target
  const problems: string[] = []
  const emails = new Set(journal.emails)
  for (const user of state.users.values()) if (typeof user.email === "string") emails.add(user.email)
  const accounts = new Map(journal.providerAccounts)
  for (const item of state.items.filter(isAccountItem)) {
    accounts.set(`${String(item.provider)}#${String(item.providerAccountId)}`, { provider: String(item.provider), providerAccountId: String(item.providerAccountId) })
  }
  const attempt = async (via: string, read: () => Promise<UserView | null>) => {
    try {
      await journal.read(via, read, (user) => user)
    } catch (error) {
      problems.push(`I5 read failed after the schedule: ${via}: ${describeError(error)}`)
    }
  }
  for (const front of readers) {
    for (const { token } of journal.sessions.filter((session) => session.readBack)) await attempt(`${front.label} session(${token})`, () => userOfSession(front, token))
    for (const email of emails) await attempt(`${front.label} userByEmail(${email})`, () => userByEmail(front, email))
    for (const account of accounts.values()) {
      await attempt(`${front.label} userByAccount(${account.provider}#${account.providerAccountId})`, () => userByAccount(front, account))
    }
  }
  return problems
}

/** I1: reads after a returned update show what it set (or what a later update, in flight at the read, set). */
function checkFreshReads(journal: Journal): string[] {
  const problems: string[] = []
  for (const read of journal.reads) {
    const user = read.user
    if (!user) continue
    const returned = journal.updates.filter((u) => u.userId === user.id && u.returnedAt !== undefined && u.returnedAt < read.startedAt)
    const last = returned.sort((a, b) => b.returnedAt! - a.returnedAt!)[0]
    if (!last) continue
    const acceptable = journal.updates.filter(
      (u) => u.userId === user.id && (u === last || (u.startedAt < read.startedAt && !(u.returnedAt !== undefined && u.returnedAt < last.returnedAt!))),
    )
    for (const [field, value] of Object.entries(last.changes)) {
      const allowed = acceptable.filter((u) => field in u.changes).map((u) => u.changes[field])
      if (!allowed.some((v) => show(v) === show(user[field]))) {
        problems.push(`I1 stale user: ${read.via} returned ${field}=${show(user[field])} for user ${user.id}, after updateUser returned ${field}=${show(value)}`)
      }
    }
  }
  return problems
}

/** I2: no read returns a user deleted before it started, or whose user item is gone. */
function checkDeletedUsersGone(journal: Journal, state: TableState, finalReads: readonly ReadEntry[]): string[] {
  const problems: string[] = []
  for (const read of journal.reads) {
    const user = read.user
    if (!user) continue
    const deleted = journal.returnedDeletes().find((d) => d.userId === user.id && d.returnedAt! < read.startedAt)
    if (deleted) problems.push(`I2 deleted user still found: ${read.via} returned user ${user.id} after deleteUser(${user.id}) returned`)
    else if (finalReads.includes(read) && !state.users.has(user.id)) {
      problems.push(`I2 deleted user still found: ${read.via} returned user ${user.id}, whose user item is gone`)
    }
  }
  return problems
}

/** I3, on the table: one user per email, one account item per provider account, each claimed by its own user. */
function checkUniqueness(state: TableState): string[] {
  const problems: string[] = []
  const usersByEmail = new Map<string, string[]>()
  for (const user of state.users.values()) {
    if (typeof user.email !== "string" || user.email === "") continue
    const email = user.email.toLowerCase()
    usersByEmail.set(email, [...(usersByEmail.get(email) ?? []), String(user.id)])
    const claim = lookup(state, `EMAIL#${email}`)
    if (claim?.userId !== user.id) {
      problems.push(`I3 unclaimed email: user ${String(user.id)} has email ${email} but its claim is ${claim ? `owned by ${String(claim.userId)}` : "missing"}: another sign-up can take it`)
    }
  }
  for (const [email, ids] of usersByEmail) if (ids.length > 1) problems.push(`I3 duplicate email: users ${ids.join(", ")} all have ${email}`)
  const accountsByKey = new Map<string, string[]>()
  for (const account of state.items.filter(isAccountItem)) {
    const key = `${String(account.provider)}#${String(account.providerAccountId)}`
    accountsByKey.set(key, [...(accountsByKey.get(key) ?? []), String(account.userId)])
    const claim = lookup(state, `ACCOUNT#${key}`)
    if (claim?.userId !== account.userId) {
      problems.push(`I3 unclaimed provider account: ${key} is linked to user ${String(account.userId)} but its claim is ${claim ? `owned by ${String(claim.userId)}` : "missing"}`)
    }
  }
  for (const [key, ids] of accountsByKey) if (ids.length > 1) problems.push(`I3 duplicate provider account: ${key} is linked to users ${ids.join(", ")}`)
  return problems
}

interface OrphanClaims {
  emails: { email: string; owner: string }[]
  accounts: { provider: string; providerAccountId: string; owner: string }[]
}

/** Claims not backed by a live owner that has the value: I3 requires them to be harmless. */
function orphanClaims(state: TableState): OrphanClaims {
  const orphans: OrphanClaims = { emails: [], accounts: [] }
  for (const item of state.items) {
    if (item.pk !== item.sk) continue
    const owner = String(item.userId)
    if (item.type === "EMAIL") {
      const user = state.users.get(owner)
      if (!user || String(user.email ?? "").toLowerCase() !== String(item.email).toLowerCase()) orphans.emails.push({ email: String(item.email), owner })
    } else if (String(item.pk).startsWith("ACCOUNT#") && typeof item.provider === "string") {
      const accountItem = state.byKey.get(`USER#${owner}|${String(item.pk)}`)
      if (!accountItem || !state.users.has(owner)) orphans.accounts.push({ provider: item.provider, providerAccountId: String(item.providerAccountId), owner })
    }
  }
  return orphans
}

/** I3, through the front-ends: a new sign-up with an orphaned email, a new link of an orphaned provider account, succeeds. */
async function probeOrphanClaims(target: CheckTarget, orphans: OrphanClaims): Promise<string[]> {
  const problems: string[] = []
  let probe = 0
  // Better Auth's sign-up when the scenario has it (it reads the user by email first), else Auth.js createUser.
  const front = target.readers.find((reader) => reader.kind === "better-auth") ?? target.readers[0]
  if (!front) return problems
  for (const { email, owner } of orphans.emails) {
    try {
      await signUpWithEmail(front, email, `probe-${++probe}-${target.ns}`)
    } catch (error) {
      problems.push(`I3 harmful email claim: EMAIL#${email} (owner ${owner}: gone, or has another email) refuses a new sign-up through ${front.label}: ${describeError(error)}`)
    }
  }
  for (const { provider, providerAccountId, owner } of orphans.accounts) {
    try {
      await linkToNewUser(front, { provider, providerAccountId }, `probe-${++probe}-${target.ns}`)
    } catch (error) {
      problems.push(`I3 harmful account claim: ACCOUNT#${provider}#${providerAccountId} (owner ${owner}) refuses a new link through ${front.label}: ${describeError(error)}`)
    }
  }
  return problems
}

function userAttributes(user: Item): Item {
  return Object.fromEntries(Object.entries(user).filter(([name]) => !NOT_COPIED.has(name)))
}

function differences(copy: Item, user: Item): string[] {
  const names = new Set([...Object.keys(copy), ...Object.keys(user)])
  return [...names].filter((name) => show(copy[name]) !== show(user[name])).map((name) => `${name}: copy ${show(copy[name])}, user item ${show(user[name])}`)
}

/** I4: every used copy of a user equals its user item. */
function checkCopies(journal: Journal, state: TableState): string[] {
  const problems: string[] = []
  const nowSeconds = Date.now() / 1000
  for (const item of state.items) {
    const copy = item.user
    if (item.pk !== item.sk || typeof copy !== "object" || copy === null) continue
    const key = String(item.pk)
    if (item.type === "SESSION_TOKEN" || key.startsWith("SESSION#")) {
      const session = journal.sessions.find((s) => s.token === item.sessionToken)
      if (session && !session.handedOut) continue
      // A session in its last minutes is read with its user by key: its copy is never used (COPY_EXPIRY_MARGIN_S).
      if (typeof item.expires === "number" && item.expires <= nowSeconds + COPY_EXPIRY_MARGIN_S) continue
    }
    const owner = state.users.get(String(item.userId))
    if (!owner) {
      problems.push(`I4 copy of a deleted user: ${key} still holds a copy of user ${String(item.userId)}, whose user item is gone`)
      continue
    }
    const diff = differences(copy as Item, userAttributes(owner))
    if (diff.length > 0) problems.push(`I4 stale copy: ${key} (copy version ${show(item.userVersion)}, user version ${show(owner.userVersion ?? 0)}): ${diff.join("; ")}`)
  }
  return problems
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let link = error; link && chain.length < 6; link = (link as { cause?: unknown }).cause) chain.push(link)
  return chain
}

/** A DynamoAuthAdapterError (or one as the cause of Better Auth's answer), or Better Auth's own error answer. */
function isTyped(error: unknown): boolean {
  const chain = causes(error)
  if (chain.some((link) => link instanceof DynamoAuthAdapterError)) return true
  const rawAws = chain.some((link) => typeof (link as { $metadata?: unknown })?.$metadata === "object")
  return !rawAws && (error as { name?: string })?.name === "APIError"
}

/** I5: failed operations failed typed; throttling retried; nothing hangs. */
function checkOutcomes(run: ScheduleRun): string[] {
  const problems: string[] = []
  for (const [id, outcome] of run.outcomes) {
    if (outcome.status === "stuck") problems.push(`I5 operation ${id} never finished`)
    if (outcome.status !== "failed") continue
    if (!isTyped(outcome.error)) problems.push(`I5 untyped error: operation ${id} failed with ${describeError(outcome.error)}`)
    const fault = run.fault
    if (fault?.operation === id && fault.kind === "throttle" && run.gate.faultStruck) {
      const code = causes(outcome.error).find((link): link is DynamoAuthAdapterError => link instanceof DynamoAuthAdapterError)?.code
      if (code !== "THROTTLED") problems.push(`I5 throttling not retried: one throttled request made operation ${id} fail with ${describeError(outcome.error)} (expected a retry, THROTTLED at worst)`)
    }
  }
  return problems
}

/** Every violated invariant after one schedule (empty: the schedule is fine). */
export async function checkInvariants(target: CheckTarget): Promise<string[]> {
  const state = await scanNamespace(target)
  const before = target.journal.reads.length
  const problems = [...checkOutcomes(target.run), ...(await readEverything(target, state))]
  const finalReads = target.journal.reads.slice(before)
  problems.push(...checkFreshReads(target.journal), ...checkDeletedUsersGone(target.journal, state, finalReads), ...checkUniqueness(state), ...checkCopies(target.journal, state))
  // Last: the probes write (a new user per orphaned claim).
  problems.push(...(await probeOrphanClaims(target, orphanClaims(state))))
  return [...new Set(problems)]
}
