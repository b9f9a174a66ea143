import { expect, it } from "vitest"
import { testBetterAuth } from "../support/better-auth-app.js"
import { useTableWithClient } from "../support/test-table.js"

const local = useTableWithClient()

it("50 concurrent email sign-ups with one email create exactly one user; the others get Better Auth's 'user already exists'", async () => {
  const auth = testBetterAuth(local.client, local.table.tableName)
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) => auth.api.signUpEmail({ body: { email: "race@example.com", password: "password-123", name: `Racer ${i}` } })),
  )
  const won = results.filter((r) => r.status === "fulfilled")
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
  expect(won).toHaveLength(1)
  expect(lost).toHaveLength(49)
  for (const failure of lost) {
    expect(failure.reason).toMatchObject({ statusCode: 422, body: { code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" } })
  }
  const items = await local.table.scanAll()
  expect(items.filter((i) => i.type === "USER")).toHaveLength(1)
  expect(items.filter((i) => i.type === "EMAIL")).toEqual([expect.objectContaining({ email: "race@example.com" })])
  expect(items.filter((i) => i.type === "SESSION")).toHaveLength(1)
  expect(items.filter((i) => i.type === "ACCOUNT_OWNER")).toHaveLength(1)
})
