/**
 * The one Better Auth configuration both runners use: every plugin the issue
 * names, database rate limits, a cheap password hash (the comparison is about
 * database behaviour, not scrypt), ids from a counter per model (equal across
 * runs as long as both sides create the same records in the same order), and
 * an outbox that catches every e-mail and SMS a flow triggers.
 *
 * Not here: the apiKey plugin. In Better Auth 1.7 it lives in the separate
 * package `@better-auth/api-key`, which is not installed in this repository.
 */
import type { BetterAuthOptions } from "better-auth"
import {
  admin,
  anonymous,
  customSession,
  emailOTP,
  jwt,
  magicLink,
  multiSession,
  organization,
  phoneNumber,
  twoFactor,
  username,
} from "better-auth/plugins"

/** A message a flow reads back: a magic link, an OTP, an invitation. */
export interface OutboxMessage {
  kind: "magic-link" | "email-otp" | "sms-otp" | "sms-reset" | "invitation" | "reset-password"
  to: string
  /** The token or code in it. */
  secret: string
}

export class Outbox {
  readonly messages: OutboxMessage[] = []
  push(message: OutboxMessage): void {
    this.messages.push(message)
  }
  /** The newest message of a kind to an address. */
  last(kind: OutboxMessage["kind"], to: string): string {
    const found = [...this.messages].reverse().find((m) => m.kind === kind && m.to === to)
    if (!found) throw new Error(`no ${kind} message to ${to} in the outbox`)
    return found.secret
  }
}

/** The id of the first user of the flows, who administers the app. */
export const ADMIN_USER_ID = "user-1"

export const BASE_URL = "http://localhost:3000"

/** The database rate limit of the flows that go over HTTP: 3 sign-in attempts per 10 seconds and client. */
export const RATE_LIMIT = { window: 10, max: 3 }

export function differentialOptions(database: BetterAuthOptions["database"], outbox: Outbox) {
  const counters = new Map<string, number>()
  return {
    secret: "a-test-secret-that-is-long-enough-for-better-auth",
    baseURL: BASE_URL,
    database,
    logger: { disabled: true },
    emailAndPassword: {
      enabled: true,
      password: { hash: async (p: string) => `hashed:${p}`, verify: async ({ hash, password }: { hash: string; password: string }) => hash === `hashed:${password}` },
      sendResetPassword: async ({ user, token }: { user: { email: string }; token: string }) =>
        outbox.push({ kind: "reset-password", to: user.email, secret: token }),
    },
    user: { deleteUser: { enabled: true } },
    rateLimit: { enabled: true, storage: "database", window: RATE_LIMIT.window, max: RATE_LIMIT.max, customRules: { "/sign-in/email": RATE_LIMIT } },
    advanced: {
      database: {
        generateId: ({ model }: { model: string }) => {
          const next = (counters.get(model) ?? 0) + 1
          counters.set(model, next)
          return `${model}-${next}`
        },
      },
      ipAddress: { ipAddressHeaders: ["x-forwarded-for"] },
    },
    plugins: [
      username(),
      // The first user the flows create (ids come from the counter above) is the administrator.
      admin({ adminUserIds: [ADMIN_USER_ID] }),
      organization({
        teams: { enabled: true },
        sendInvitationEmail: async ({ email, id }: { email: string; id: string }) => outbox.push({ kind: "invitation", to: email, secret: id }),
      }),
      twoFactor({ issuer: "differential" }),
      magicLink({ sendMagicLink: async ({ email, token }) => outbox.push({ kind: "magic-link", to: email, secret: token }) }),
      emailOTP({ sendVerificationOTP: async ({ email, otp }) => outbox.push({ kind: "email-otp", to: email, secret: otp }) }),
      multiSession(),
      jwt(),
      anonymous(),
      phoneNumber({
        sendOTP: async ({ phoneNumber: to, code }) => outbox.push({ kind: "sms-otp", to, secret: code }),
        sendPasswordResetOTP: async ({ phoneNumber: to, code }) => outbox.push({ kind: "sms-reset", to, secret: code }),
        signUpOnVerification: { getTempEmail: (p) => `${p.replace(/\D/g, "")}@phone.example.com` },
      }),
      customSession(async ({ user, session }) => ({ user, session, greeting: `hello ${user.name}` })),
    ],
  } satisfies BetterAuthOptions
}
