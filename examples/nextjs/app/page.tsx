/**
 * A server component that reads both sessions for the same request: Auth.js's
 * `auth()` and Better Auth's `api.getSession()`. Signed in through both, they
 * name the same user id: one user item in the table.
 */
import { headers } from "next/headers"
import { auth } from "../auth"
import { betterAuthInstance } from "../lib/better-auth"
import { signInWithAuthjs, signInWithBetterAuth, signOutOfAuthjs, signOutOfBetterAuth } from "./actions"

interface ShownUser {
  id: string
  email: string | null | undefined
  name: string | null | undefined
}

function SessionCard(props: { framework: "authjs" | "better-auth"; title: string; user: ShownUser | undefined; signIn: () => Promise<void>; signOut: () => Promise<void> }) {
  const { framework, title, user } = props
  return (
    <section data-testid={`${framework}-card`} style={{ border: "1px solid #ccc", borderRadius: 8, padding: "1rem", marginBottom: "1rem" }}>
      <h2>{title}</h2>
      <p data-testid={`${framework}-status`}>{user ? "Signed in." : "Not signed in."}</p>
      {user ? (
        <>
          <dl>
            <dt>User id</dt>
            <dd data-testid={`${framework}-user-id`}>{user.id}</dd>
            <dt>Email</dt>
            <dd data-testid={`${framework}-email`}>{user.email ?? "null"}</dd>
            <dt>Name</dt>
            <dd data-testid={`${framework}-name`}>{user.name ?? "null"}</dd>
          </dl>
          <form action={props.signOut}>
            <button data-testid={`${framework}-sign-out`}>Sign out of {title}</button>
          </form>
        </>
      ) : (
        <form action={props.signIn}>
          <button data-testid={`${framework}-sign-in`}>Sign in with {title}</button>
        </form>
      )}
    </section>
  )
}

export default async function Home() {
  const [authjsSession, betterAuthSession] = await Promise.all([auth(), betterAuthInstance.api.getSession({ headers: await headers() })])
  const authjsUser = authjsSession?.user?.id ? { id: authjsSession.user.id, email: authjsSession.user.email, name: authjsSession.user.name } : undefined
  const betterAuthUser = betterAuthSession ? { id: betterAuthSession.user.id, email: betterAuthSession.user.email, name: betterAuthSession.user.name } : undefined
  return (
    <main>
      <h1>Auth.js and Better Auth on one DynamoDB table</h1>
      <SessionCard framework="authjs" title="Auth.js" user={authjsUser} signIn={signInWithAuthjs} signOut={signOutOfAuthjs} />
      <SessionCard framework="better-auth" title="Better Auth" user={betterAuthUser} signIn={signInWithBetterAuth} signOut={signOutOfBetterAuth} />
      {authjsUser && betterAuthUser ? (
        <p data-testid="same-user">
          {authjsUser.id === betterAuthUser.id
            ? `Both frameworks see the same person: user ${authjsUser.id}.`
            : `Two different users: ${authjsUser.id} (Auth.js) and ${betterAuthUser.id} (Better Auth).`}
        </p>
      ) : null}
    </main>
  )
}
