/**
 * Better Auth's own adapter conformance suites, against singleTableAdapter on
 * DynamoDB Local. numberIdTestSuite is left out: DynamoDB has no serial ids.
 * The table has TTL off: the suites read back records that expire as they are
 * written, which DynamoDB Local's TTL job would delete (see conformance-table.ts).
 */
import {
  authFlowTestSuite,
  caseInsensitiveTestSuite,
  joinsTestSuite,
  normalTestSuite,
  testAdapter,
  transactionsTestSuite,
  uuidTestSuite,
} from "@better-auth/test-utils/adapter"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { localClient } from "../support/test-table.js"
import { createConformanceTable } from "./conformance-table.js"

const table = await createConformanceTable()
// A client of its own: \`table.client\` carries the test DynamoDBDocument's marshalling
// options (convertEmptyValues), which would store "" as null.
const client = localClient()

async function wipe() {
  const items = await table.scanAll()
  for (let i = 0; i < items.length; i += 25) {
    await Promise.all(
      items.slice(i, i + 25).map((item) =>
        table.document.delete({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk } }),
      ),
    )
  }
}

const { execute } = await testAdapter({
  adapter: () => singleTableAdapter({ client, tableName: table.tableName }),
  runMigrations: async () => {
    await wipe()
  },
  tests: [
    normalTestSuite(),
    transactionsTestSuite(),
    authFlowTestSuite(),
    joinsTestSuite(),
    uuidTestSuite(),
    caseInsensitiveTestSuite(),
  ],
  onFinish: async () => {
    client.destroy()
    await table.drop()
  },
})

execute()
