/**
 * `backfill` on a table written by @auth/dynamodb-adapter 2.11.3: it writes
 * exactly the lookup items the stores would have written (email, provider
 * account, session token), nothing on a second run, continues from a
 * cursor, writes nothing in a dry run, and reports two users with one email
 * as a conflict instead of picking one.
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { AdapterUser } from "@auth/core/adapters"
import { ScanCommand } from "@aws-sdk/lib-dynamodb"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { runBackfill, type BackfillConflict, type BackfillProgress, type BackfillTable } from "../../src/core/backfill/index.js"
import { readAccountIdLookup } from "../../src/core/identity/account-id-lookup.js"
import { createIdentityStores } from "../../src/core/identity/index.js"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { directoryShardOf } from "../../src/core/identity/user-directory.js"
import { TableClient, type WriteAction } from "../../src/core/client/table-client.js"
import type { TableNameOptions } from "../../src/table/names.js"
import { createTestTable, type TestTable } from "../support/test-table.js"
import { runCliLocal, stubLocalCredentials } from "./run-cli.js"

type Item = Record<string, unknown>

const tables: TestTable[] = []
beforeAll(() => {
  stubLocalCredentials()
})
afterEach(async () => {
  await Promise.all(tables.splice(0).map((t) => t.drop()))
})

const inAnHour = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000)
// More than five years in the past: DynamoDB (Local too) leaves such items to TTL alone, so it stays put during the test.
const longExpired = () => new Date("2001-02-03T04:05:06.000Z")

interface Seeded {
  table: TestTable
  alice: AdapterUser
  bob: AdapterUser
  /** The lookup items the stores would have written for the seeded data. */
  expectedLookups: Item[]
}

/** Users, accounts, sessions (one expired), a user without email and a verification token, all written by the official adapter. */
async function seedLegacyTable(nameOptions: TableNameOptions = {}): Promise<Seeded> {
  // A table the official adapter wrote: no "lookups complete" marker.
  const table = await createTestTable({ ...nameOptions, legacy: true })
  tables.push(table)
  const { names } = table
  const official = OfficialAdapter(table.document, { ...nameOptions, tableName: table.tableName })
  const alice = (await official.createUser!({ id: "", email: "alice@example.com", emailVerified: null, name: "Alice" })) as AdapterUser
  const bob = (await official.createUser!({ id: "", email: "bob@example.com", emailVerified: new Date("2024-01-02T03:04:05.000Z") })) as AdapterUser
  const noEmail = (await official.createUser!({ id: "", email: undefined as unknown as string, emailVerified: null, name: "No email" })) as AdapterUser
  await official.linkAccount!({ userId: alice.id, type: "oidc", provider: "github", providerAccountId: "1001", access_token: "at-secret" })
  await official.linkAccount!({ userId: bob.id, type: "oauth", provider: "google", providerAccountId: "2002" })
  const live = inAnHour()
  await official.createSession!({ sessionToken: "tok-alice", userId: alice.id, expires: live })
  await official.createSession!({ sessionToken: "tok-bob-old", userId: bob.id, expires: longExpired() })
  await official.createVerificationToken!({ identifier: "alice@example.com", token: "vt-1", expires: live })

  const key = (pk: string) => ({ [names.partitionKey]: pk, [names.sortKey]: pk })
  const seeded = await table.scanAll()
  const session = seeded.find((i) => i[names.sortKey] === "SESSION#tok-alice")!
  const accountId = (providerAccountId: string) => String(seeded.find((i) => i.providerAccountId === providerAccountId)!.id)
  const byId = (providerAccountId: string, provider: string, userId: string): Item => ({
    ...key(`ACCOUNT_ID#${accountId(providerAccountId)}`),
    type: "ACCOUNT_ID",
    id: accountId(providerAccountId),
    userId,
    provider,
    providerAccountId,
  })
  const expectedLookups: Item[] = [
    { ...key("ACCOUNT#github#1001"), type: "ACCOUNT_OWNER", provider: "github", providerAccountId: "1001", userId: alice.id },
    { ...key("ACCOUNT#google#2002"), type: "ACCOUNT_OWNER", provider: "google", providerAccountId: "2002", userId: bob.id },
    // Account id lookups (the Better Auth front-end finds accounts by id through them), sorted by the random ids.
    ...[byId("1001", "github", alice.id), byId("2002", "google", bob.id)].sort((a, b) => (String(a[names.partitionKey]) < String(b[names.partitionKey]) ? -1 : 1)),
    { ...key("EMAIL#alice@example.com"), type: "EMAIL", email: "alice@example.com", userId: alice.id },
    { ...key("EMAIL#bob@example.com"), type: "EMAIL", email: "bob@example.com", userId: bob.id },
    // A copy of every session attribute, without the session item's keys (the token item has no GSI1 keys).
    { ...key("SESSION#tok-alice"), type: "SESSION_TOKEN", id: session.id, sessionToken: "tok-alice", userId: alice.id, expires: live.getTime() / 1000 },
    // Every user's user directory entry, the one without an email too.
    ...directoryEntries(names, [alice.id, bob.id, noEmail.id]),
  ]
  return { table, alice, bob, expectedLookups }
}

/** The user directory entries of these users, sorted as `scanAll` returns them. */
function directoryEntries(names: { partitionKey: string; sortKey: string }, userIds: string[]): Item[] {
  return userIds
    .map((userId) => ({ [names.partitionKey]: `USER_DIRECTORY#${directoryShardOf(userId)}`, [names.sortKey]: userId, type: "USER_DIRECTORY", userId }))
    .sort((a, b) => (`${a[names.partitionKey]}\u0000${a[names.sortKey]}` < `${b[names.partitionKey]}\u0000${b[names.sortKey]}` ? -1 : 1))
}

/** Every item that is not in a user's partition and not a verification token: the lookup items. */
async function lookupItems(table: TestTable): Promise<Item[]> {
  const pk = table.names.partitionKey
  return (await table.scanAll()).filter((i) => !String(i[pk]).startsWith("USER#") && !String(i[pk]).startsWith("VT#"))
}

const nameFlags = (table: TestTable) => ["--table", table.tableName]

describe("backfill", () => {
  it("writes exactly the missing lookup items, leaves every other item as it was, and reports counts", async () => {
    const { table, expectedLookups } = await seedLegacyTable()
    const before = await table.scanAll()
    expect(await lookupItems(table)).toEqual([])

    const run = await runCliLocal("backfill", ...nameFlags(table))
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(await lookupItems(table)).toEqual(expectedLookups)
    // Nothing else changed: the items the official adapter wrote are untouched.
    const after = await table.scanAll()
    expect(after.filter((i) => !expectedLookups.some((l) => l.pk === i.pk && l.sk === i.sk))).toEqual(before)
    expect(run.stdout).toContain("lookups written: 10 (email 2, provider account 2, account id 2, session token 1, user directory entry 3)")
    expect(run.stdout).toContain("already present: 0")
    expect(run.stdout).toContain("conflicts: 0")
    expect(run.stdout).toContain("expired sessions skipped: 1")
    // 8 items of the official adapter's, and the legacy table's metadata item (its declaration that the official adapter writes there).
    expect(run.stdout).toMatch(/page 1 \(scanned 9, written 10, already present 0, conflicts 0\) cursor: [A-Za-z0-9_-]+/)
  })

  it("is idempotent: a second run writes nothing (one Scan page and one BatchGetItem, no writes)", async () => {
    const { table, expectedLookups } = await seedLegacyTable()
    expect((await runCliLocal("backfill", ...nameFlags(table))).code).toBe(0)
    const afterFirst = await table.scanAll()

    const again = await runCliLocal("backfill", ...nameFlags(table))
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("lookups written: 0\n")
    expect(again.stdout).toContain("already present: 10 (email 2, provider account 2, account id 2, session token 1, user directory entry 3)")
    expect(await table.scanAll()).toEqual(afterFirst)

    // The same, counted: reads only.
    table.counter.reset()
    const result = await runBackfill(new TableClient({ names: table.names, client: table.client }))
    expect(result.counts.written).toEqual({ email: 0, account: 0, accountId: 0, session: 0, directory: 0 })
    expect(table.counter.byCommand()).toEqual({ Scan: 1, BatchGetItem: 1 })
    expect(await lookupItems(table)).toEqual(expectedLookups)
  })

  it("the stores find what the backfill wrote through the lookups alone (no GSI1 fallback)", async () => {
    const { table, alice } = await seedLegacyTable()
    await runCliLocal("backfill", ...nameFlags(table))
    const client = new TableClient({ names: table.names, client: table.client })
    const stores = createIdentityStores(client)
    table.counter.reset()
    expect((await stores.accounts.ownerOf("github", "1001"))?.userId).toBe(alice.id)
    expect((await stores.sessions.getByToken("tok-alice"))?.userId).toBe(alice.id)
    const accountId = String((await table.scanAll()).find((i) => i.providerAccountId === "1001" && String(i.pk).startsWith("USER#"))!.id)
    expect(await readAccountIdLookup(client, accountId)).toEqual({ userId: alice.id, provider: "github", providerAccountId: "1001" })
    // No Query: the lookups answer. The session's token item is confirmed by its session item (no marker: the official
    // adapter may still sign it out), which costs the one read of the table's metadata item and a BatchGetItem.
    expect(table.counter.byCommand()).toEqual({ GetItem: 4, BatchGetItem: 1 })
    // And the email is claimed: a second user with it is refused.
    await expect(stores.users.create({ id: "intruder", email: "alice@example.com" })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
  })

  it("dry run: reports what it would write and writes nothing", async () => {
    const { table } = await seedLegacyTable()
    const before = await table.scanAll()
    const run = await runCliLocal("backfill", ...nameFlags(table), "--dry-run")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Dry run (nothing will be written)")
    expect(run.stdout).toContain("lookups to write: 10 (email 2, provider account 2, account id 2, session token 1, user directory entry 3)")
    expect(run.stdout).toContain("Nothing was written (dry run).")
    expect(await table.scanAll()).toEqual(before)
  })

  it("resumes from a printed cursor: only the items after that page are processed", async () => {
    const { table, expectedLookups } = await seedLegacyTable()
    const dry = await runCliLocal("backfill", ...nameFlags(table), "--dry-run", "--page-size", "3")
    const cursors = [...dry.stdout.matchAll(/cursor: (\S+)/g)].map((m) => m[1]!)
    expect(cursors.length).toBe(4) // 9 items (8 and the metadata item), 3 per page: 3 + 3 + 3, then an empty last page

    // The items of the first page, in the Scan's own order.
    const firstPage = ((await table.document.send(new ScanCommand({ TableName: table.tableName, Limit: 3 }))).Items ?? []) as Item[]
    const firstPageLookups = expectedLookups.filter((l) =>
      firstPage.some((i) => (l.type === "USER_DIRECTORY" ? i.type === "USER" && i.id === l.userId : lookupKeyOf(i)?.split("|").includes(String(l.pk)))),
    )

    const resumed = await runCliLocal("backfill", ...nameFlags(table), "--page-size", "3", "--resume-from", cursors[0]!)
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toContain("resuming from the cursor given")
    // (Lookups written during a run can show up in its later pages, so the scanned count is not fixed here.)
    expect(resumed.stdout).toMatch(/Done: scanned \d+ items/)
    expect(await lookupItems(table)).toEqual(expectedLookups.filter((l) => !firstPageLookups.includes(l)))

    // A full run afterwards completes the set.
    const full = await runCliLocal("backfill", ...nameFlags(table))
    expect(full.stdout).toContain(`lookups written: ${firstPageLookups.length}`)
    expect(await lookupItems(table)).toEqual(expectedLookups)
  })

  it("an interrupted run resumed from its last cursor ends where an uninterrupted one does", async () => {
    const { table, expectedLookups } = await seedLegacyTable()
    const client = new TableClient({ names: table.names, client: table.client })
    const seen: BackfillProgress[] = []
    await expect(
      runBackfill(client, {
        pageSize: 2,
        onProgress(progress) {
          seen.push(progress)
          if (seen.length === 2) throw new Error("crash after page 2")
        },
      }),
    ).rejects.toThrow("crash after page 2")
    const resumed = await runBackfill(client, { pageSize: 2, resumeFrom: seen[1]!.cursor })
    // Each lookup written once: by the interrupted run (pages 1 and 2 completed) or by the resumed one.
    const written = (c: BackfillProgress["counts"]) => c.written.email + c.written.account + c.written.accountId + c.written.session + c.written.directory
    expect(written(seen[1]!.counts) + written(resumed.counts)).toBe(10)
    expect(await lookupItems(table)).toEqual(expectedLookups)
  })

  it("parallel segments write the same lookups", async () => {
    const { table, expectedLookups } = await seedLegacyTable()
    const run = await runCliLocal("backfill", ...nameFlags(table), "--segments", "3", "--page-size", "2")
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/segment [123]\/3/)
    expect(run.stdout).toContain("lookups written: 10 (email 2, provider account 2, account id 2, session token 1, user directory entry 3)")
    expect(await lookupItems(table)).toEqual(expectedLookups)
    // A cursor made with 3 segments resumes with 3 segments, and refuses another count.
    const cursor = run.stdout.match(/cursor: (\S+)/)![1]!
    const wrong = await runCliLocal("backfill", ...nameFlags(table), "--segments", "2", "--resume-from", cursor)
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain("INVALID_INPUT: The --resume-from cursor was made with --segments 3")
  })

  it("two legacy users with one email: reported as a conflict, no email lookup written for either, the rest done", async () => {
    const { table, alice, expectedLookups } = await seedLegacyTable()
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    const twin = (await official.createUser!({ id: "", email: "alice@example.com", emailVerified: null, name: "Alice twin" })) as AdapterUser

    const run = await runCliLocal("backfill", ...nameFlags(table))
    expect(run.code).toBe(2)
    expect(run.stderr.split("\n")).toHaveLength(1)
    expect(run.stderr).toMatch(/^CONFLICT: email "alice@example.com" is held by users "[^"]+", "[^"]+"; no lookup written\./)
    expect(run.stderr).toContain(`"${alice.id}"`)
    expect(run.stderr).toContain(`"${twin.id}"`)
    expect(run.stdout).toContain("conflicts: 1")
    expect(run.stdout).toContain("lookups written: 10 (email 1, provider account 2, account id 2, session token 1, user directory entry 4)")
    const directory = expectedLookups.filter((l) => l.type === "USER_DIRECTORY").map((l) => String(l.userId))
    expect(await lookupItems(table)).toEqual([
      ...expectedLookups.filter((l) => l.pk !== "EMAIL#alice@example.com" && l.type !== "USER_DIRECTORY"),
      ...directoryEntries(table.names, [...directory, twin.id]),
    ])

    // Re-running reports it again and still writes nothing for it.
    const again = await runCliLocal("backfill", ...nameFlags(table))
    expect(again.code).toBe(2)
    expect(again.stdout).toContain("lookups written: 0\n")
  })

  it("an email already claimed by another user (written by this library) is a conflict, never overwritten", async () => {
    const { table, bob } = await seedLegacyTable()
    const stores = createIdentityStores(new TableClient({ names: table.names, client: table.client }))
    // A user created by this library claimed the email before; a legacy write then gave bob the same email.
    await stores.users.create({ id: "modern", email: "shared@example.com" })
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    await official.updateUser!({ id: bob.id, email: "shared@example.com" })
    const run = await runCliLocal("backfill", ...nameFlags(table))
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`CONFLICT: email "shared@example.com" is held by users "modern", "${bob.id}"`)
    const lookup = (await table.scanAll()).find((i) => i.pk === "EMAIL#shared@example.com")
    expect(lookup).toEqual({ pk: "EMAIL#shared@example.com", sk: "EMAIL#shared@example.com", type: "EMAIL", email: "shared@example.com", userId: "modern" })
  })

  it("safe while traffic runs: a lookup written by someone else between the read and the put is left as it is", async () => {
    const { table, alice, expectedLookups } = await seedLegacyTable()
    const client = new TableClient({ names: table.names, client: table.client })
    const stores = createIdentityStores(client)
    // Live traffic claims alice's provider account for another user, and writes alice's email lookup itself,
    // right before the backfill's conditional put of each.
    const racing: BackfillTable = Object.create(client, {
      write: {
        value: async (action: WriteAction, what: string) => {
          if (action.kind === "put" && action.item.type === "ACCOUNT_OWNER" && action.item.userId === alice.id) {
            await client.write({ ...action, item: { ...action.item, userId: "other-user" } }, "traffic")
          }
          if (action.kind === "put" && action.item.type === "EMAIL" && action.item.userId === alice.id) {
            await client.write(action, "traffic")
          }
          return client.write(action, what)
        },
      },
    })
    const conflicts: BackfillConflict[] = []
    const result = await runBackfill(racing, { onConflict: (c) => conflicts.push(c) })
    expect(result.counts.written).toEqual({ email: 1, account: 1, accountId: 2, session: 1, directory: 3 })
    expect(result.counts.present).toEqual({ email: 1, account: 0, accountId: 0, session: 0, directory: 0 })
    expect(conflicts).toEqual([{ kind: "account", what: 'provider account "github#1001"', userIds: ["other-user", alice.id] }])
    // The traffic's writes stand.
    expect(await lookupItems(table)).toEqual(
      expectedLookups.map((l) => (l.pk === "ACCOUNT#github#1001" ? { ...l, userId: "other-user" } : l)),
    )
    expect((await stores.accounts.ownerOf("github", "1001"))?.userId).toBe("other-user")
  })

  it("brings session token items to their session items before the table is marked complete: a session the official adapter signed out never signs in again", async () => {
    const { table, alice } = await seedLegacyTable()
    // A rolling deploy: this library (told the official adapter still writes) creates sessions with their token items;
    // the official adapter then signs one out and extends the other, on the session items alone.
    const ours = DynamoDBAdapter(table.document, { tableName: table.tableName, legacyItems: "present" })
    const official = OfficialAdapter(table.document, { tableName: table.tableName })
    // One expiry, taken once: inAnHour() read again a moment later can be a second on.
    const expires = inAnHour()
    await ours.createSession!({ sessionToken: "tok-signed-out", userId: alice.id, expires })
    await ours.createSession!({ sessionToken: "tok-extended", userId: alice.id, expires })
    const later = new Date(expires.getTime() + 86_400_000)
    await official.deleteSession!("tok-signed-out")
    await official.updateSession!({ sessionToken: "tok-extended", expires: later })
    const token = async (t: string) => (await table.document.get({ TableName: table.tableName, Key: { pk: `SESSION#${t}`, sk: `SESSION#${t}` }, ConsistentRead: true })).Item
    expect(await token("tok-signed-out")).toBeDefined()
    expect((await token("tok-extended"))?.expires).toBe(expires.getTime() / 1000)

    const dry = await runCliLocal("backfill", ...nameFlags(table), "--dry-run")
    expect(await token("tok-signed-out")).toBeDefined()

    const run = await runCliLocal("backfill", ...nameFlags(table), "--mark-complete")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Marked the table's lookups complete")
    // Marked complete, a token item answers alone: the signed-out session is gone, the extended one has its new expiry.
    const after = DynamoDBAdapter(table.document, { tableName: table.tableName })
    expect(await after.getSessionAndUser!("tok-signed-out")).toBeNull()
    expect((await after.getSessionAndUser!("tok-extended"))?.session.expires).toEqual(later)
    expect(await token("tok-signed-out")).toBeUndefined()
    expect((await token("tok-extended"))?.expires).toBe(later.getTime() / 1000)
    expect(dry.stdout).toContain("token items of signed-out sessions to delete: 1")
    expect(dry.stdout).toContain("token items to bring to their session: 1")
    expect(run.stdout).toContain("token items of signed-out sessions deleted: 1")
    expect(run.stdout).toContain("token items brought to their session: 1")
    // A second run finds nothing to bring.
    const again = await runCliLocal("backfill", ...nameFlags(table))
    expect(again.stdout).toContain("token items of signed-out sessions deleted: 0")
    expect(again.stdout).toContain("token items brought to their session: 0")
  })

  it("works with custom key and index names given as flags", async () => {
    const custom = { partitionKey: "PK", sortKey: "SK", indexName: "ByLookup", indexPartitionKey: "LPK", indexSortKey: "LSK" }
    const { table, expectedLookups } = await seedLegacyTable(custom)
    const run = await runCliLocal(
      "backfill",
      ...nameFlags(table),
      ...["--partition-key", "PK", "--sort-key", "SK", "--index-name", "ByLookup", "--index-partition-key", "LPK", "--index-sort-key", "LSK"],
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("lookups written: 10")
    expect(await lookupItems(table)).toEqual(expectedLookups)
  })

  it("rejects a cursor that is not one, writing nothing", async () => {
    const { table } = await seedLegacyTable()
    const run = await runCliLocal("backfill", ...nameFlags(table), "--resume-from", "not-a-cursor")
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("INVALID_INPUT: The --resume-from cursor is not valid")
    expect(await lookupItems(table)).toEqual([])
  })
})

/** The pk of the lookup item a legacy item needs (test-side, from the official adapter's layout). */
function lookupKeyOf(item: Item): string | undefined {
  if (item.type === "USER" && typeof item.email === "string") return `EMAIL#${item.email}`
  if (item.type === "SESSION" && Number(item.expires) * 1000 > Date.now()) return `SESSION#${String(item.sessionToken)}`
  if (String(item.sk).startsWith("ACCOUNT#")) return `ACCOUNT#${String(item.provider)}#${String(item.providerAccountId)}|ACCOUNT_ID#${String(item.id)}`
  return undefined
}
