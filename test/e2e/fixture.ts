/**
 * The set-up every cross-framework end-to-end file shares: a fresh table on
 * DynamoDB Local and the shared example server (Auth.js and Better Auth on
 * one table, with its identity provider) running on it for the whole file.
 */
import { afterAll, beforeAll } from "vitest"
import { startSharedExample, type SharedExample } from "../../examples/shared/server.js"
import { createTestTable, endpoint, type TestTable } from "../support/test-table.js"

export interface SharedExampleFixture {
  readonly table: TestTable
  readonly example: SharedExample
  /** The example server's base URL. */
  readonly base: string
}

/**
 * Registers the file's `beforeAll`/`afterAll` and returns the fixture; its
 * fields are readable from inside tests (once `beforeAll` has run).
 */
export function useSharedExample(): SharedExampleFixture {
  let table: TestTable | undefined
  let example: SharedExample | undefined
  beforeAll(async () => {
    table = await createTestTable()
    example = await startSharedExample({ endpoint: endpoint(), tableName: table.tableName })
  })
  afterAll(async () => {
    await example?.stop()
    await table?.drop()
  })
  return {
    get table() {
      return started(table)
    },
    get example() {
      return started(example)
    },
    get base() {
      return started(example).url
    },
  }
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("The shared example is not started: read the fixture inside a test, not while the file is collected.")
  return value
}
