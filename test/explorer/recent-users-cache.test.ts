/**
 * The recent-users cache is module-wide, keyed by table name (issue #11,
 * defect 11): two instances on tables of the same name at two endpoints (a
 * second DynamoDB Local here: staging and production, two regions, two
 * tenants) share its entries. A user read through instance 1 is copied
 * into a session instance 2 creates for the user of the same id on its own
 * table, and instance 2 then logs that session in as instance 1's user.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTable } from "../../src/table/create-table.js"
import { resolveTableNames } from "../../src/table/names.js"
import { localClientConfig, startDynamoDBLocal, type LocalDynamoDB } from "../support/dynamodb-local.js"
import { localClient, uniqueTableName } from "../support/test-table.js"
import { authjsFront, type AuthjsFront } from "./front-ends.js"
import { GateSlot } from "./hold-middleware.js"
import { explore, formatViolations } from "./scheduler.js"
import { identityScenario, inAnHour, type CheckedWorld } from "./world.js"

const names = resolveTableNames({ tableName: uniqueTableName("same-name") })
const slot = new GateSlot()
let second: LocalDynamoDB
let firstClient: DynamoDBClient
let secondClient: DynamoDBClient
let secondInspector: DynamoDBClient
let one: AuthjsFront
let two: AuthjsFront

beforeAll(async () => {
  second = await startDynamoDBLocal({ forceSpawn: true })
  firstClient = localClient()
  secondClient = new DynamoDBClient(localClientConfig(second.endpoint))
  secondInspector = new DynamoDBClient(localClientConfig(second.endpoint))
  // Both made by createTable, marked "lookups complete": copies of users are trusted on both.
  await createTable(firstClient, { ...names, markLookupsComplete: true })
  await createTable(secondClient, { ...names, markLookupsComplete: true })
  one = authjsFront({ label: "endpoint 1", tableName: names.tableName, slot, client: firstClient })
  two = authjsFront({ label: "endpoint 2", tableName: names.tableName, slot, client: secondClient })
}, 120_000)

afterAll(async () => {
  for (const client of [firstClient, secondClient, secondInspector]) client?.destroy()
  await second?.stop()
})

describe("instances on same-named tables at two endpoints (defect 11)", () => {
  it("instance 1 reads its user u while instance 2 creates a session for its own user u: the session holds instance 2's user", { timeout: 120_000 }, async () => {
    // The checks are on endpoint 2's table, read through instance 2.
    const world: CheckedWorld = { tableName: names.tableName, slot, inspector: secondInspector, frontEnds: [two] }
    const report = await explore(
      identityScenario(world, {
        name: "recent users shared across endpoints",
        // S plans its copy before its first request: hold each operation at its start too, so S can start after R returned.
        holdStart: true,
        async prepare(context) {
          const id = `u-${context.ns}`
          await one.adapter.createUser({ id, email: `one-${context.ns}@example.com`, emailVerified: null, name: "Alice (endpoint 1)" })
          await two.adapter.createUser({ id, email: context.journal.email(`two-${context.ns}@example.com`), emailVerified: null, name: "Bob (endpoint 2)" })
          const token = `tok-${context.ns}`
          return {
            operations: [
              { id: "R", run: () => one.adapter.getUser(id) },
              { id: "S", run: () => context.journal.createSession(token, id, () => two.adapter.createSession({ sessionToken: token, userId: id, expires: inAnHour() })) },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
