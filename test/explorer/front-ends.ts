/**
 * The two front-ends as the explorer drives them: each instance on a client
 * of its own whose requests go through the hold middleware (so two
 * instances behave like two processes sharing a table, apart from what the
 * library itself keeps module-wide), and the reads the invariant checker
 * makes through every instance of a scenario.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import type { LegacyItems } from "../../src/core/identity/table-mode.js"
import { testBetterAuth } from "../support/better-auth-app.js"
import { attachHoldMiddleware, type GateSlot } from "./hold-middleware.js"
import type { UserView } from "./journal.js"

type BetterAuthApp = ReturnType<typeof testBetterAuth>
export type BetterAuthContext = Awaited<BetterAuthApp["$context"]>

export interface AuthjsFront {
  kind: "authjs"
  /** `A`, `B`: how violations name the instance. */
  label: string
  adapter: DynamoDBAuthjsAdapter
}

export interface BetterAuthFront {
  kind: "better-auth"
  label: string
  auth: BetterAuthApp
  context: BetterAuthContext
}

export type FrontEnd = AuthjsFront | BetterAuthFront

export interface FrontEndOptions {
  label: string
  tableName: string
  slot: GateSlot
  legacyItems?: LegacyItems
  /** The instance's own client (the caller destroys it); the hold middleware is added to it. */
  client: DynamoDBClient
}

function instrumentedClient(options: FrontEndOptions): DynamoDBClient {
  attachHoldMiddleware(options.client, options.slot)
  return options.client
}

export function authjsFront(options: FrontEndOptions): AuthjsFront {
  const client = instrumentedClient(options)
  const adapter = DynamoDBAdapter(client, { tableName: options.tableName, ...(options.legacyItems ? { legacyItems: options.legacyItems } : {}) })
  return { kind: "authjs", label: options.label, adapter }
}

export async function betterAuthFront(options: FrontEndOptions): Promise<BetterAuthFront> {
  const client = instrumentedClient(options)
  const database = singleTableAdapter({ client, tableName: options.tableName, ...(options.legacyItems ? { legacyItems: options.legacyItems } : {}) })
  const auth = testBetterAuth(client, options.tableName, { database })
  return { kind: "better-auth", label: options.label, auth, context: await auth.$context }
}

/** The fields the invariants compare, out of any front-end's user. */
export function viewOf(user: Record<string, unknown> | null | undefined): UserView | null {
  if (!user || typeof user.id !== "string") return null
  const view: UserView = { id: user.id }
  for (const field of ["name", "email", "role", "image"]) if (user[field] !== undefined) view[field] = user[field]
  return view
}

/** The user the session with this token logs in, through `front` (null: none). */
export async function userOfSession(front: FrontEnd, token: string): Promise<UserView | null> {
  if (front.kind === "authjs") return viewOf((await front.adapter.getSessionAndUser(token))?.user as Record<string, unknown> | undefined)
  return viewOf((await front.context.internalAdapter.findSession(token))?.user as Record<string, unknown> | undefined)
}

/** The user found by this email, through `front`. */
export async function userByEmail(front: FrontEnd, email: string): Promise<UserView | null> {
  if (front.kind === "authjs") return viewOf((await front.adapter.getUserByEmail(email)) as Record<string, unknown> | null)
  return viewOf((await front.context.internalAdapter.findUserByEmail(email))?.user as Record<string, unknown> | undefined)
}

/** The user who owns this provider account, through `front`. */
export async function userByAccount(front: FrontEnd, account: { provider: string; providerAccountId: string }): Promise<UserView | null> {
  if (front.kind === "authjs") return viewOf((await front.adapter.getUserByAccount(account)) as Record<string, unknown> | null)
  const found = await front.context.internalAdapter.findAccountOwnerByKey({ providerId: account.provider, accountId: account.providerAccountId })
  return found?.kind === "owned" ? viewOf(found.user as Record<string, unknown>) : null
}

/** A new user with this email through `front` (Auth.js createUser, Better Auth sign-up); throws when refused. */
export async function signUpWithEmail(front: FrontEnd, email: string, id: string): Promise<void> {
  if (front.kind === "authjs") {
    await front.adapter.createUser({ id, email, emailVerified: null, name: "Probe" })
    return
  }
  await front.auth.api.signUpEmail({ body: { email, password: "password-123", name: "Probe" } })
}

/** Links the provider account to a new user through `front`; throws when refused. */
export async function linkToNewUser(front: FrontEnd, account: { provider: string; providerAccountId: string }, id: string): Promise<void> {
  if (front.kind === "authjs") {
    await front.adapter.createUser({ id, email: `${id}@probe.example`, emailVerified: null })
    await front.adapter.linkAccount({ userId: id, type: "oauth", ...account })
    return
  }
  const user = await front.context.internalAdapter.createUser({ email: `${id}@probe.example`, name: "Probe", emailVerified: false }, { method: "email" })
  await front.context.internalAdapter.linkAccount({ userId: user.id, providerId: account.provider, accountId: account.providerAccountId })
}
