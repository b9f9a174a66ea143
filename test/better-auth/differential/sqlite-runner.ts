/**
 * The oracle: the same app on Better Auth's built-in SQLite (better-sqlite3,
 * in memory), its schema made by Better Auth's own migrations, so UNIQUE
 * constraints and ON DELETE CASCADE are Better Auth's, not ours.
 */
import Database from "better-sqlite3"
import { getMigrations } from "better-auth/db/migration"
import { Outbox } from "./app-options.js"
import { adapterRows, makeDifferentialAuth, type Runner } from "./runner.js"

export async function sqliteRunner(): Promise<Runner> {
  const database = new Database(":memory:")
  const outbox = new Outbox()
  const auth = makeDifferentialAuth(database, outbox)
  const { runMigrations } = await getMigrations(auth.options)
  await runMigrations()
  return {
    side: "sqlite",
    auth,
    outbox,
    rows: (model) => adapterRows(auth, model),
    async measure(work) {
      return { value: await work(), requests: undefined }
    },
    async close() {
      database.close()
    },
  }
}
