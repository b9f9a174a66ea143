/**
 * Scripted Auth.js flows: the adapter calls @auth/core 0.41 makes for each
 * (read off its callback and sign-in handlers), run against any Adapter.
 */
import { randomUUID } from "node:crypto"
import type { Adapter, AdapterAccount, AdapterUser } from "@auth/core/adapters"

export interface FlowContext {
  adapter: Adapter
  /** A user with one account and one session, made fresh for each run by `prepare`. */
  user: AdapterUser
  account: AdapterAccount
  sessionToken: string
}

export interface Flow {
  name: string
  /** Checked once after the first timed run, e.g. what a delete left behind. */
  after?: (context: FlowContext, subject: { leftovers?: (userId: string) => Promise<number> }) => Promise<string | undefined>
  /** Untimed set-up; returns what `run` needs. */
  prepare(adapter: Adapter): Promise<FlowContext>
  /** The timed part. */
  run(context: FlowContext): Promise<void>
  /** Iterations to time (fewer for heavy flows). */
  iterations?: number
}

const day = 24 * 60 * 60 * 1000
const expires = () => new Date(Date.now() + 30 * day)

function newProfile() {
  const id = randomUUID().slice(0, 12)
  return {
    email: `${id}@example.com`,
    name: `Person ${id}`,
    providerAccountId: `sub-${id}`,
  }
}

async function seedUser(adapter: Adapter): Promise<FlowContext> {
  const profile = newProfile()
  const user = await adapter.createUser!({ id: "", email: profile.email, name: profile.name, emailVerified: null, image: null })
  const account: AdapterAccount = {
    userId: user.id,
    type: "oidc",
    provider: "idp",
    providerAccountId: profile.providerAccountId,
    access_token: "access-token",
    refresh_token: "refresh-token",
    id_token: "id-token",
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    token_type: "bearer",
    scope: "openid email profile",
  }
  await adapter.linkAccount!(account)
  const sessionToken = randomUUID()
  await adapter.createSession!({ sessionToken, userId: user.id, expires: expires() })
  return { adapter, user, account, sessionToken }
}

const noSetup = async (adapter: Adapter): Promise<FlowContext> => ({
  adapter,
  user: { id: "", email: "", emailVerified: null },
  account: { userId: "", type: "oidc", provider: "idp", providerAccountId: "" },
  sessionToken: "",
})

export const authjsFlows: Flow[] = [
  {
    name: "OAuth sign-up",
    prepare: noSetup,
    async run({ adapter }) {
      const profile = newProfile()
      const key = { provider: "idp", providerAccountId: profile.providerAccountId }
      await adapter.getUserByAccount!(key) // signIn callback
      await adapter.getUserByAccount!(key) // handleLoginOrRegister
      await adapter.getUserByEmail!(profile.email)
      const user = await adapter.createUser!({ id: "", email: profile.email, name: profile.name, emailVerified: null })
      await adapter.linkAccount!({ ...key, userId: user.id, type: "oidc", access_token: "a", id_token: "i", expires_at: 2_000_000_000, token_type: "bearer", scope: "openid" })
      await adapter.createSession!({ sessionToken: randomUUID(), userId: user.id, expires: expires() })
    },
  },
  {
    name: "OAuth sign-in",
    prepare: seedUser,
    async run({ adapter, account }) {
      const key = { provider: account.provider, providerAccountId: account.providerAccountId }
      await adapter.getUserByAccount!(key)
      const user = await adapter.getUserByAccount!(key)
      await adapter.createSession!({ sessionToken: randomUUID(), userId: user!.id, expires: expires() })
    },
  },
  {
    name: "get session",
    prepare: seedUser,
    async run({ adapter, sessionToken }) {
      const found = await adapter.getSessionAndUser!(sessionToken)
      if (!found) throw new Error("session not found")
    },
  },
  {
    name: "extend session",
    prepare: seedUser,
    async run({ adapter, sessionToken }) {
      await adapter.getSessionAndUser!(sessionToken)
      await adapter.updateSession!({ sessionToken, expires: expires() })
    },
  },
  {
    name: "sign out",
    prepare: seedUser,
    async run({ adapter, sessionToken }) {
      await adapter.deleteSession!(sessionToken)
    },
  },
  {
    name: "magic-link sign-in",
    prepare: seedUser,
    async run({ adapter, user }) {
      const email = user.email
      const token = randomUUID()
      await adapter.getUserByEmail!(email) // sign-in request
      await adapter.createVerificationToken!({ identifier: email, token, expires: expires() })
      await adapter.useVerificationToken!({ identifier: email, token }) // callback
      const found = await adapter.getUserByEmail!(email)
      await adapter.getUserByEmail!(email) // handleLoginOrRegister
      await adapter.createSession!({ sessionToken: randomUUID(), userId: found!.id, expires: expires() })
    },
  },
  {
    name: "update user",
    prepare: seedUser,
    async run({ adapter, user }) {
      await adapter.updateUser!({ id: user.id, name: `Renamed ${randomUUID().slice(0, 6)}` })
    },
  },
  {
    name: "delete user (1,000 sessions)",
    iterations: 5,
    async prepare(adapter) {
      const context = await seedUser(adapter)
      const batch: unknown[] = []
      for (let i = 0; i < 999; i++) {
        batch.push(adapter.createSession!({ sessionToken: randomUUID(), userId: context.user.id, expires: expires() }))
        if (batch.length === 50) await Promise.all(batch.splice(0))
      }
      await Promise.all(batch)
      return context
    },
    async run({ adapter, user }) {
      await adapter.deleteUser!(user.id)
    },
    async after({ user }, subject) {
      const left = (await subject.leftovers?.(user.id)) ?? 0
      return left === 0 ? "all 1,000 sessions, account and user deleted" : `left ${left} of the user's items behind`
    },
  },
]
