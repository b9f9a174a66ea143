/**
 * The script both sides run: flows of steps through `auth.api` (and, for rate
 * limits, HTTP), in order, on one app whose data accumulates from flow to
 * flow. A step returns what is compared; `rows` names the models whose stored
 * rows are compared after it; `scan` marks the one kind of step allowed to
 * Scan (a listing of a whole model), with the reason; `unordered` marks a
 * listing Better Auth asks for in no order.
 *
 * People: alice (the first user, administrator), bob (a username), erin
 * (made by the admin), carol (invited to the organization), dave (two
 * factor), and those the plugin flows sign up (magic link, OTP, anonymous,
 * phone). Every call made as a signed-in person keeps the cookies it sets.
 */
import type { FlowContext } from "./flow-context.js"

export interface Step {
  name: string
  run(ctx: FlowContext): Promise<unknown>
  /** Models whose rows are compared after the step. */
  rows?: readonly string[]
  /** Seconds the clock moves forward before the step (every step also moves it 1 s). */
  advance?: number
  /** Why the order of the step's listings is not compared (Better Auth asks for none); absent: it is. */
  unordered?: string
  /** Why this step may Scan (a whole-model listing); absent: it must not. */
  scan?: string
}

export interface Flow {
  name: string
  steps: readonly Step[]
}

const PASSWORD = "password-123"
const NO_ORDER = "Better Auth lists them with no sortBy"

/** Signs a person up by email and remembers their user id under their name. */
async function signUp(ctx: FlowContext, actor: string, body: { email: string; name: string; username?: string }) {
  const response = await ctx.session(actor, ctx.auth.api.signUpEmail({ headers: new Headers(), body: { password: PASSWORD, ...body }, returnHeaders: true }))
  ctx.remember(actor, response.user.id)
  return response
}

function signInEmail(ctx: FlowContext, actor: string, email: string, password = PASSWORD) {
  return ctx.session(actor, ctx.auth.api.signInEmail({ body: { email, password }, returnHeaders: true }))
}

/** Verifies a person's e-mail address with an e-mail OTP (the organization plugin wants it before invitations). */
async function verifyEmail(ctx: FlowContext, actor: string, email: string) {
  await ctx.auth.api.sendVerificationOTP({ body: { email, type: "email-verification" } })
  return ctx.session(actor, ctx.auth.api.verifyEmailOTP({ headers: ctx.as(actor), body: { email, otp: ctx.outbox.last("email-otp", email) }, returnHeaders: true }))
}

/** The TOTP code for the secret of an `otpauth://` URI, at the (fake) current time, from Better Auth's own generator. */
async function totpCode(ctx: FlowContext): Promise<string> {
  const { totpURI } = ctx.recall<{ totpURI: string }>("totp")
  const encoded = new URL(totpURI).searchParams.get("secret")
  if (!encoded) throw new Error(`no secret in ${totpURI}`)
  const { base32 } = await import("@better-auth/utils/base32")
  const secret = new TextDecoder().decode(base32.decode(encoded))
  const { code } = await ctx.auth.api.generateTOTP({ body: { secret } })
  return code
}

/**
 * Two calls at once. Which one wins, and whether the loser is refused by the
 * plugin's own check (it saw the winner's write) or by the database's
 * uniqueness, is the scheduler's choice on either side; what is compared is
 * how many succeeded and how many were refused.
 */
async function race(calls: readonly Promise<unknown>[]) {
  const settled = await Promise.allSettled(calls)
  const refused = settled.filter((s) => s.status === "rejected").length
  return { succeeded: settled.length - refused, refused }
}

const id = (ctx: FlowContext, actor: string) => ctx.recall<string>(actor)
const org = (ctx: FlowContext) => ctx.recall<string>("acme")

export const FLOWS: readonly Flow[] = [
  {
    name: "email and password",
    steps: [
      { name: "sign up alice", run: (ctx) => signUp(ctx, "alice", { email: "alice@example.com", name: "Alice" }), rows: ["user", "account", "session"] },
      { name: "get session", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("alice") }) },
      { name: "sign up alice again", run: (ctx) => ctx.auth.api.signUpEmail({ body: { email: "alice@example.com", password: PASSWORD, name: "Alice 2" } }), rows: ["user"] },
      { name: "wrong password", run: (ctx) => ctx.auth.api.signInEmail({ body: { email: "alice@example.com", password: "wrong-password" } }) },
      { name: "sign in on a second device", run: (ctx) => signInEmail(ctx, "alice-phone", "alice@example.com"), rows: ["session"] },
      { name: "list sessions", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listSessions({ headers: ctx.as("alice") }) },
      { name: "update name and image", run: (ctx) => ctx.session("alice", ctx.auth.api.updateUser({ headers: ctx.as("alice"), body: { name: "Alice A.", image: "https://example.com/alice.png" }, returnHeaders: true })), rows: ["user"] },
      { name: "remove image", run: (ctx) => ctx.session("alice", ctx.auth.api.updateUser({ headers: ctx.as("alice"), body: { image: null }, returnHeaders: true })), rows: ["user"] },
      {
        name: "change password",
        run: (ctx) => ctx.session("alice", ctx.auth.api.changePassword({ headers: ctx.as("alice"), body: { currentPassword: PASSWORD, newPassword: "password-456", revokeOtherSessions: true }, returnHeaders: true })),
        rows: ["account", "session"],
      },
      { name: "old device signed out", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("alice-phone") }) },
      { name: "change password back", run: (ctx) => ctx.session("alice", ctx.auth.api.changePassword({ headers: ctx.as("alice"), body: { currentPassword: "password-456", newPassword: PASSWORD }, returnHeaders: true })), rows: ["account"] },
      { name: "sign out", run: (ctx) => ctx.session("alice", ctx.auth.api.signOut({ headers: ctx.as("alice"), returnHeaders: true })), rows: ["session"] },
      { name: "signed out", run: (ctx) => ctx.auth.api.getSession({ headers: new Headers({ cookie: "" }) }) },
      { name: "sign in again", run: (ctx) => signInEmail(ctx, "alice", "alice@example.com") },
    ],
  },
  {
    name: "password reset",
    steps: [
      { name: "request a reset", run: (ctx) => ctx.auth.api.requestPasswordReset({ body: { email: "alice@example.com", redirectTo: "/reset" } }), rows: ["verification"] },
      { name: "reset for an unknown address", run: (ctx) => ctx.auth.api.requestPasswordReset({ body: { email: "nobody@example.com", redirectTo: "/reset" } }), rows: ["verification"] },
      { name: "reset with the token", run: (ctx) => ctx.auth.api.resetPassword({ body: { token: ctx.outbox.last("reset-password", "alice@example.com"), newPassword: "password-789" } }), rows: ["verification", "account"] },
      { name: "the token is spent", run: (ctx) => ctx.auth.api.resetPassword({ body: { token: ctx.outbox.last("reset-password", "alice@example.com"), newPassword: "password-000" } }) },
      { name: "sign in with the new password", run: (ctx) => signInEmail(ctx, "alice", "alice@example.com", "password-789") },
    ],
  },
  {
    name: "username",
    steps: [
      { name: "username available", run: (ctx) => ctx.auth.api.isUsernameAvailable({ body: { username: "bob_builder" } }) },
      { name: "sign up bob with a username", run: (ctx) => signUp(ctx, "bob", { email: "bob@example.com", name: "Bob", username: "bob_builder" }), rows: ["user"] },
      { name: "username taken", run: (ctx) => ctx.auth.api.isUsernameAvailable({ body: { username: "Bob_Builder" } }) },
      { name: "second sign-up with the username", run: (ctx) => ctx.auth.api.signUpEmail({ body: { email: "bob2@example.com", password: PASSWORD, name: "Bob 2", username: "bob_builder" } }), rows: ["user"] },
      { name: "sign in by username", run: (ctx) => ctx.auth.api.signInUsername({ body: { username: "bob_builder", password: PASSWORD } }) },
      { name: "change the username", run: (ctx) => ctx.session("bob", ctx.auth.api.updateUser({ headers: ctx.as("bob"), body: { username: "bob_the_builder" }, returnHeaders: true })), rows: ["user"] },
      { name: "old username is free", run: (ctx) => ctx.auth.api.isUsernameAvailable({ body: { username: "bob_builder" } }) },
      { name: "sign in by the new username", run: (ctx) => ctx.session("bob", ctx.auth.api.signInUsername({ body: { username: "bob_the_builder", password: PASSWORD }, returnHeaders: true })) },
      { name: "unknown username", run: (ctx) => ctx.auth.api.signInUsername({ body: { username: "nobody_here", password: PASSWORD } }) },
    ],
  },
  {
    name: "admin",
    steps: [
      {
        name: "create a user",
        run: async (ctx) => {
          const created = await ctx.auth.api.createUser({ headers: ctx.as("alice"), body: { email: "erin@example.com", password: PASSWORD, name: "Erin", role: "user" } })
          ctx.remember("erin", created.user.id)
          return created
        },
        rows: ["user", "account"],
      },
      { name: "list users", run: (ctx) => ctx.auth.api.listUsers({ headers: ctx.as("alice"), query: { sortBy: "email", sortDirection: "asc" } }) },
      { name: "search users", run: (ctx) => ctx.auth.api.listUsers({ headers: ctx.as("alice"), query: { searchField: "name", searchValue: "Bo", searchOperator: "contains" } }) },
      { name: "set role", run: (ctx) => ctx.auth.api.setRole({ headers: ctx.as("alice"), body: { userId: id(ctx, "erin"), role: "admin" } }), rows: ["user"] },
      { name: "sign in erin", run: (ctx) => signInEmail(ctx, "erin", "erin@example.com") },
      { name: "ban erin", run: (ctx) => ctx.auth.api.banUser({ headers: ctx.as("alice"), body: { userId: id(ctx, "erin"), banReason: "spam" } }), rows: ["user", "session"] },
      { name: "banned sign-in", run: (ctx) => ctx.auth.api.signInEmail({ body: { email: "erin@example.com", password: PASSWORD } }) },
      { name: "unban erin", run: (ctx) => ctx.auth.api.unbanUser({ headers: ctx.as("alice"), body: { userId: id(ctx, "erin") } }), rows: ["user"] },
      { name: "impersonate bob", run: (ctx) => ctx.session("alice-as-bob", ctx.auth.api.impersonateUser({ headers: ctx.as("alice"), body: { userId: id(ctx, "bob") }, returnHeaders: true })), rows: ["session"] },
      { name: "session while impersonating", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("alice-as-bob") }) },
      { name: "list bob's sessions", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listUserSessions({ headers: ctx.as("alice"), body: { userId: id(ctx, "bob") } }) },
      { name: "stop impersonating", run: (ctx) => ctx.session("alice-as-bob", ctx.auth.api.stopImpersonating({ headers: ctx.as("alice-as-bob"), returnHeaders: true })), rows: ["session"] },
      { name: "set erin's password", run: (ctx) => ctx.auth.api.setUserPassword({ headers: ctx.as("alice"), body: { userId: id(ctx, "erin"), newPassword: "password-erin" } }), rows: ["account"] },
      { name: "sign in erin again", run: (ctx) => signInEmail(ctx, "erin", "erin@example.com", "password-erin") },
      { name: "revoke erin's sessions", run: (ctx) => ctx.auth.api.revokeUserSessions({ headers: ctx.as("alice"), body: { userId: id(ctx, "erin") } }), rows: ["session"] },
      { name: "remove erin", run: (ctx) => ctx.auth.api.removeUser({ headers: ctx.as("alice"), body: { userId: id(ctx, "erin") } }), rows: ["user", "account", "session"] },
    ],
  },
  {
    name: "organization and teams",
    steps: [
      { name: "slug free", run: (ctx) => ctx.auth.api.checkOrganizationSlug({ body: { slug: "acme" } }) },
      {
        name: "create organization",
        run: async (ctx) => {
          const created = await ctx.auth.api.createOrganization({ headers: ctx.as("alice"), body: { name: "Acme", slug: "acme" } })
          if (created) ctx.remember("acme", created.id)
          return created
        },
        rows: ["organization", "member", "team", "session"],
      },
      { name: "slug taken", run: (ctx) => ctx.auth.api.checkOrganizationSlug({ body: { slug: "acme" } }) },
      { name: "second organization with the slug", run: (ctx) => ctx.auth.api.createOrganization({ headers: ctx.as("bob"), body: { name: "Acme 2", slug: "acme" } }), rows: ["organization"] },
      { name: "sign up carol", run: (ctx) => signUp(ctx, "carol", { email: "carol@example.com", name: "Carol" }) },
      { name: "carol verifies her address", run: (ctx) => verifyEmail(ctx, "carol", "carol@example.com"), rows: ["user", "verification"] },
      { name: "invite carol", run: (ctx) => ctx.auth.api.createInvitation({ headers: ctx.as("alice"), body: { email: "carol@example.com", role: "member", organizationId: org(ctx) } }), rows: ["invitation"] },
      { name: "list invitations", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listInvitations({ headers: ctx.as("alice"), query: { organizationId: org(ctx) } }) },
      { name: "carol's invitations", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listUserInvitations({ headers: ctx.as("carol") }) },
      {
        name: "carol accepts",
        run: async (ctx) => {
          const accepted = await ctx.auth.api.acceptInvitation({ headers: ctx.as("carol"), body: { invitationId: ctx.outbox.last("invitation", "carol@example.com") } })
          if (accepted?.member) ctx.remember("carol-member", accepted.member.id)
          return accepted
        },
        rows: ["invitation", "member"],
      },
      { name: "full organization", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.getFullOrganization({ headers: ctx.as("alice"), query: { organizationId: org(ctx) } }) },
      { name: "list members", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listMembers({ headers: ctx.as("alice"), query: { organizationId: org(ctx) } }) },
      { name: "make carol an admin", run: (ctx) => ctx.auth.api.updateMemberRole({ headers: ctx.as("alice"), body: { memberId: ctx.recall<string>("carol-member"), role: "admin", organizationId: org(ctx) } }), rows: ["member"] },
      {
        name: "create a team",
        run: async (ctx) => {
          const team = await ctx.auth.api.createTeam({ headers: ctx.as("alice"), body: { name: "Engineering", organizationId: org(ctx) } })
          ctx.remember("engineering", team.id)
          return team
        },
        rows: ["team"],
      },
      { name: "add carol to the team", run: (ctx) => ctx.auth.api.addTeamMember({ headers: ctx.as("alice"), body: { teamId: ctx.recall<string>("engineering"), userId: id(ctx, "carol") } }), rows: ["teamMember"] },
      { name: "list teams", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listOrganizationTeams({ headers: ctx.as("alice"), query: { organizationId: org(ctx) } }) },
      { name: "carol's active organization", run: (ctx) => ctx.session("carol", ctx.auth.api.setActiveOrganization({ headers: ctx.as("carol"), body: { organizationId: org(ctx) }, returnHeaders: true })), rows: ["session"] },
      { name: "carol's active team", run: (ctx) => ctx.session("carol", ctx.auth.api.setActiveTeam({ headers: ctx.as("carol"), body: { teamId: ctx.recall<string>("engineering") }, returnHeaders: true })), rows: ["session"] },
      { name: "team members", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listTeamMembers({ headers: ctx.as("carol"), query: { teamId: ctx.recall<string>("engineering") } }) },
      { name: "carol's session", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("carol") }) },
      { name: "carol's active member", run: (ctx) => ctx.auth.api.getActiveMember({ headers: ctx.as("carol") }) },
      { name: "bob verifies his address", run: (ctx) => verifyEmail(ctx, "bob", "bob@example.com") },
      { name: "invite bob", run: (ctx) => ctx.auth.api.createInvitation({ headers: ctx.as("alice"), body: { email: "bob@example.com", role: "member", organizationId: org(ctx) } }) },
      { name: "bob rejects", run: (ctx) => ctx.auth.api.rejectInvitation({ headers: ctx.as("bob"), body: { invitationId: ctx.outbox.last("invitation", "bob@example.com") } }), rows: ["invitation"] },
      { name: "remove carol from the team", run: (ctx) => ctx.auth.api.removeTeamMember({ headers: ctx.as("alice"), body: { teamId: ctx.recall<string>("engineering"), userId: id(ctx, "carol") } }), rows: ["teamMember", "team"] },
      { name: "add carol to the team again", run: (ctx) => ctx.auth.api.addTeamMember({ headers: ctx.as("alice"), body: { teamId: ctx.recall<string>("engineering"), userId: id(ctx, "carol") } }), rows: ["teamMember"] },
      { name: "carol leaves", run: (ctx) => ctx.session("carol", ctx.auth.api.leaveOrganization({ headers: ctx.as("carol"), body: { organizationId: org(ctx) }, returnHeaders: true })), rows: ["member", "teamMember", "session"] },
      { name: "delete the organization", run: (ctx) => ctx.auth.api.deleteOrganization({ headers: ctx.as("alice"), body: { organizationId: org(ctx) } }), rows: ["organization", "member", "team", "teamMember", "invitation", "session"] },
    ],
  },
  {
    name: "two factor",
    steps: [
      { name: "sign up dave", run: (ctx) => signUp(ctx, "dave", { email: "dave@example.com", name: "Dave" }) },
      {
        name: "enable two factor",
        run: async (ctx) => ctx.remember("totp", await ctx.session("dave", ctx.auth.api.enableTwoFactor({ headers: ctx.as("dave"), body: { password: PASSWORD }, returnHeaders: true }))),
        rows: ["twoFactor", "user"],
      },
      { name: "verify the first code", run: async (ctx) => ctx.session("dave", ctx.auth.api.verifyTOTP({ headers: ctx.as("dave"), body: { code: await totpCode(ctx) }, returnHeaders: true })), rows: ["user", "twoFactor", "session"] },
      { name: "sign in asks for a second factor", run: (ctx) => signInEmail(ctx, "dave-2fa", "dave@example.com"), rows: ["verification"] },
      { name: "wrong code", run: (ctx) => ctx.auth.api.verifyTOTP({ headers: ctx.as("dave-2fa"), body: { code: "000000" } }), rows: ["twoFactor"] },
      { name: "second factor", advance: 30, run: async (ctx) => ctx.session("dave-2fa", ctx.auth.api.verifyTOTP({ headers: ctx.as("dave-2fa"), body: { code: await totpCode(ctx) }, returnHeaders: true })), rows: ["session", "verification", "twoFactor"] },
      { name: "signed in after the second factor", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("dave-2fa") }) },
      { name: "sign in again", run: (ctx) => signInEmail(ctx, "dave-backup", "dave@example.com") },
      {
        name: "backup code",
        run: (ctx) => ctx.session("dave-backup", ctx.auth.api.verifyBackupCode({ headers: ctx.as("dave-backup"), body: { code: ctx.recall<{ backupCodes: string[] }>("totp").backupCodes[0]! }, returnHeaders: true })),
        rows: ["twoFactor"],
      },
      { name: "new backup codes", run: (ctx) => ctx.session("dave", ctx.auth.api.generateBackupCodes({ headers: ctx.as("dave"), body: { password: PASSWORD }, returnHeaders: true })), rows: ["twoFactor"] },
      { name: "disable two factor", run: (ctx) => ctx.session("dave", ctx.auth.api.disableTwoFactor({ headers: ctx.as("dave"), body: { password: PASSWORD }, returnHeaders: true })), rows: ["twoFactor", "user"] },
      { name: "sign in with the password alone", run: (ctx) => signInEmail(ctx, "dave", "dave@example.com") },
    ],
  },
  {
    name: "magic link",
    steps: [
      { name: "send a link to a new address", run: (ctx) => ctx.auth.api.signInMagicLink({ headers: new Headers(), body: { email: "frank@example.com", name: "Frank" } }), rows: ["verification"] },
      { name: "follow the link", run: (ctx) => ctx.session("frank", ctx.auth.api.magicLinkVerify({ headers: new Headers(), query: { token: ctx.outbox.last("magic-link", "frank@example.com") }, returnHeaders: true })), rows: ["user", "session", "verification"] },
      { name: "the link is spent", run: (ctx) => ctx.auth.api.magicLinkVerify({ headers: new Headers(), query: { token: ctx.outbox.last("magic-link", "frank@example.com") } }) },
      { name: "frank's session", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("frank") }) },
      { name: "a link for alice", run: (ctx) => ctx.auth.api.signInMagicLink({ headers: new Headers(), body: { email: "alice@example.com" } }) },
      // Verifying alice's address this way revokes what an unproven address allowed (her sessions, her password): she goes on with this session.
      { name: "alice follows it", run: (ctx) => ctx.session("alice", ctx.auth.api.magicLinkVerify({ headers: new Headers(), query: { token: ctx.outbox.last("magic-link", "alice@example.com") }, returnHeaders: true })), rows: ["user", "session", "account"] },
      { name: "alice's password is gone", run: (ctx) => ctx.auth.api.signInEmail({ body: { email: "alice@example.com", password: "password-789" } }) },
    ],
  },
  {
    name: "email OTP",
    steps: [
      { name: "send a sign-in code", run: (ctx) => ctx.auth.api.sendVerificationOTP({ body: { email: "grace@example.com", type: "sign-in" } }), rows: ["verification"] },
      { name: "wrong code", run: (ctx) => ctx.auth.api.signInEmailOTP({ body: { email: "grace@example.com", otp: "000000" } }), rows: ["verification"] },
      { name: "sign in with the code", run: (ctx) => ctx.session("grace", ctx.auth.api.signInEmailOTP({ body: { email: "grace@example.com", otp: ctx.outbox.last("email-otp", "grace@example.com") }, returnHeaders: true })), rows: ["user", "verification"] },
      { name: "check a spent code", run: (ctx) => ctx.auth.api.checkVerificationOTP({ body: { email: "grace@example.com", type: "sign-in", otp: ctx.outbox.last("email-otp", "grace@example.com") } }) },
      { name: "send a reset code", run: (ctx) => ctx.auth.api.requestPasswordResetEmailOTP({ body: { email: "grace@example.com" } }) },
      { name: "reset the password with it", run: (ctx) => ctx.auth.api.resetPasswordEmailOTP({ body: { email: "grace@example.com", otp: ctx.outbox.last("email-otp", "grace@example.com"), password: "password-grace" } }), rows: ["account", "verification"] },
      { name: "sign in with the new password", run: (ctx) => signInEmail(ctx, "grace", "grace@example.com", "password-grace") },
    ],
  },
  {
    name: "multi session",
    steps: [
      { name: "grace signs in on a shared browser", run: (ctx) => signInEmail(ctx, "shared", "grace@example.com", "password-grace") },
      { name: "bob signs in on the same browser", run: (ctx) => ctx.session("shared", ctx.auth.api.signInEmail({ headers: ctx.as("shared"), body: { email: "bob@example.com", password: PASSWORD }, returnHeaders: true })) },
      { name: "device sessions", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listDeviceSessions({ headers: ctx.as("shared") }) },
      {
        name: "switch to grace",
        run: async (ctx) => {
          const sessions = await ctx.auth.api.listDeviceSessions({ headers: ctx.as("shared") })
          const grace = sessions.find((s) => s.user.email === "grace@example.com")
          if (!grace) return { missing: "grace's device session" }
          ctx.remember("graceToken", grace.session.token)
          return ctx.session("shared", ctx.auth.api.setActiveSession({ headers: ctx.as("shared"), body: { sessionToken: grace.session.token }, returnHeaders: true }))
        },
      },
      { name: "active is grace", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("shared") }) },
      { name: "revoke grace's device session", run: (ctx) => ctx.session("shared", ctx.auth.api.revokeDeviceSession({ headers: ctx.as("shared"), body: { sessionToken: ctx.recall<string>("graceToken") }, returnHeaders: true })), rows: ["session"] },
      { name: "bob is left", unordered: NO_ORDER, run: (ctx) => ctx.auth.api.listDeviceSessions({ headers: ctx.as("shared") }) },
    ],
  },
  {
    name: "jwt",
    steps: [
      { name: "get a token", run: (ctx) => ctx.auth.api.getToken({ headers: ctx.as("alice") }), rows: ["jwks"] },
      { name: "key set", run: (ctx) => ctx.auth.api.getJwks() },
      { name: "get session with the jwt plugin", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("alice") }) },
      { name: "second token, same key", run: (ctx) => ctx.auth.api.getToken({ headers: ctx.as("bob") }), rows: ["jwks"] },
    ],
  },
  {
    name: "anonymous",
    steps: [
      { name: "sign in anonymously", run: (ctx) => ctx.session("guest", ctx.auth.api.signInAnonymous({ returnHeaders: true })), rows: ["user", "session"] },
      { name: "guest session", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("guest") }) },
      { name: "the guest signs up", run: (ctx) => ctx.session("guest", ctx.auth.api.signUpEmail({ headers: ctx.as("guest"), body: { email: "henry@example.com", password: PASSWORD, name: "Henry" }, returnHeaders: true })), rows: ["user", "session", "account"] },
      { name: "henry's session", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("guest") }) },
    ],
  },
  {
    name: "phone number",
    steps: [
      { name: "send a code", run: (ctx) => ctx.auth.api.sendPhoneNumberOTP({ body: { phoneNumber: "+15550001111" } }), rows: ["verification"] },
      { name: "verify it (signs up)", run: (ctx) => ctx.session("ivy", ctx.auth.api.verifyPhoneNumber({ body: { phoneNumber: "+15550001111", code: ctx.outbox.last("sms-otp", "+15550001111") }, returnHeaders: true })), rows: ["user", "session", "verification"] },
      { name: "request a reset code", run: (ctx) => ctx.auth.api.requestPasswordResetPhoneNumber({ body: { phoneNumber: "+15550001111" } }) },
      { name: "reset the password", run: (ctx) => ctx.auth.api.resetPasswordPhoneNumber({ body: { phoneNumber: "+15550001111", otp: ctx.outbox.last("sms-reset", "+15550001111"), newPassword: "password-ivy" } }), rows: ["account", "verification"] },
      { name: "sign in by phone number", run: (ctx) => ctx.auth.api.signInPhoneNumber({ body: { phoneNumber: "+15550001111", password: "password-ivy" } }) },
      { name: "alice adds a phone number", run: (ctx) => ctx.auth.api.sendPhoneNumberOTP({ body: { phoneNumber: "+15550002222" } }) },
      { name: "alice verifies it", run: (ctx) => ctx.session("alice", ctx.auth.api.verifyPhoneNumber({ headers: ctx.as("alice"), body: { phoneNumber: "+15550002222", code: ctx.outbox.last("sms-otp", "+15550002222"), updatePhoneNumber: true }, returnHeaders: true })), rows: ["user"] },
      { name: "the number is ivy's", run: (ctx) => ctx.auth.api.sendPhoneNumberOTP({ body: { phoneNumber: "+15550001111" } }) },
      { name: "alice claims ivy's number", run: (ctx) => ctx.auth.api.verifyPhoneNumber({ headers: ctx.as("alice"), body: { phoneNumber: "+15550001111", code: ctx.outbox.last("sms-otp", "+15550001111"), updatePhoneNumber: true } }), rows: ["user"] },
      { name: "unknown phone number", run: (ctx) => ctx.auth.api.signInPhoneNumber({ body: { phoneNumber: "+15559999999", password: PASSWORD } }) },
    ],
  },
  {
    name: "custom session",
    steps: [{ name: "get session with the custom fields", run: (ctx) => ctx.auth.api.getSession({ headers: ctx.as("bob") }) }],
  },
  {
    name: "rate limit over HTTP",
    steps: [
      { name: "attempt 1", run: (ctx) => ctx.post("/sign-in/email", { email: "grace@example.com", password: "wrong-password" }, "10.0.0.7"), rows: ["rateLimit"] },
      { name: "attempt 2", run: (ctx) => ctx.post("/sign-in/email", { email: "grace@example.com", password: "wrong-password" }, "10.0.0.7") },
      { name: "attempt 3", run: (ctx) => ctx.post("/sign-in/email", { email: "grace@example.com", password: "wrong-password" }, "10.0.0.7"), rows: ["rateLimit"] },
      { name: "attempt 4 is limited", run: (ctx) => ctx.post("/sign-in/email", { email: "grace@example.com", password: "password-grace" }, "10.0.0.7"), rows: ["rateLimit"] },
      { name: "another client is not", run: (ctx) => ctx.post("/sign-in/email", { email: "grace@example.com", password: "password-grace" }, "10.0.0.8"), rows: ["rateLimit"] },
      { name: "after the window", advance: 11, run: (ctx) => ctx.post("/sign-in/email", { email: "grace@example.com", password: "password-grace" }, "10.0.0.7"), rows: ["rateLimit"] },
    ],
  },
  {
    name: "delete user",
    steps: [
      { name: "dave verifies his address", run: (ctx) => verifyEmail(ctx, "dave", "dave@example.com") },
      {
        name: "dave creates an organization",
        run: async (ctx) => {
          const created = await ctx.auth.api.createOrganization({ headers: ctx.as("dave"), body: { name: "Dave Co", slug: "dave-co" } })
          if (created) ctx.remember("dave-co", created.id)
          return created
        },
      },
      { name: "alice joins it", run: (ctx) => ctx.auth.api.addMember({ body: { userId: id(ctx, "alice"), role: "member", organizationId: ctx.recall<string>("dave-co") } }) },
      { name: "dave enables two factor", run: (ctx) => ctx.session("dave", ctx.auth.api.enableTwoFactor({ headers: ctx.as("dave"), body: { password: PASSWORD }, returnHeaders: true })), rows: ["twoFactor"] },
      { name: "dave deletes himself", run: (ctx) => ctx.session("dave", ctx.auth.api.deleteUser({ headers: ctx.as("dave"), body: { password: PASSWORD }, returnHeaders: true })), rows: ["user", "account", "session", "member", "teamMember", "twoFactor", "organization", "team"] },
      { name: "dave is gone", run: (ctx) => ctx.auth.api.signInEmail({ body: { email: "dave@example.com", password: PASSWORD } }) },
      { name: "the organization without its owner", run: (ctx) => ctx.auth.api.listMembers({ headers: ctx.as("alice"), query: { organizationId: ctx.recall<string>("dave-co") } }) },
    ],
  },
  {
    // Last: which call of a race wins is the scheduler's choice, and the ids the loser took differ between the sides (on
    // DynamoDB a transaction's later records take their ids before the commit fails), so no flow after it compares ids.
    name: "uniqueness under a race",
    steps: [
      {
        name: "two sign-ups with one username at once",
        run: (ctx) =>
          race(["racer-1", "racer-2"].map((name) => ctx.auth.api.signUpEmail({ body: { email: `${name}@example.com`, password: PASSWORD, name, username: "racer_name" } }))),
      },
      {
        name: "two organizations with one slug at once",
        run: (ctx) => race(["alice", "bob"].map((actor) => ctx.auth.api.createOrganization({ headers: ctx.as(actor), body: { name: `Race ${actor}`, slug: "race-co" } }))),
      },
      { name: "the username is taken", run: (ctx) => ctx.auth.api.isUsernameAvailable({ body: { username: "racer_name" } }) },
      { name: "the slug is taken", run: (ctx) => ctx.auth.api.checkOrganizationSlug({ body: { slug: "race-co" } }) },
    ],
  },
]
