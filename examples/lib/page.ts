/**
 * The examples' one page: who is signed in through which framework, and
 * buttons to sign in and out with each mounted framework. Plain HTML; the
 * only script is for Better Auth, whose endpoints take JSON.
 */
import type { IdpPerson } from "../../test/support/oidc-idp.js"
import type { SentLink } from "../lib/authjs-setup.js"

/** What the page shows of a signed-in user. */
export interface SignedInUser {
  id: string
  email: string | null
  name: string | null
  image: string | null
  /** Auth.js: an ISO date or null; Better Auth: a boolean. Shown as each framework reports it. */
  emailVerified: string | boolean | null
}

export interface HomePageData {
  /** Which frameworks the server mounts (the shared example: both). */
  mounted: { authjs: boolean; betterAuth: boolean }
  authjs: { user: SignedInUser; expires: string } | null
  betterAuth: { user: SignedInUser; expires: string } | null
  people: Record<string, IdpPerson>
  /** Auth.js's CSRF token for the form posts (empty without Auth.js). */
  csrfToken: string
  outbox: readonly SentLink[]
  tableName: string
}

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;")
}

function userCard(framework: "authjs" | "better-auth", title: string, data: HomePageData["authjs"], signOut: string): string {
  if (!data) {
    return `<section class="card" data-testid="${framework}-card"><h2>${title}</h2><p data-testid="${framework}-status">Not signed in.</p></section>`
  }
  const { user } = data
  const row = (label: string, field: string, value: unknown) =>
    `<tr><th>${label}</th><td data-testid="${framework}-${field}">${escapeHtml(value === null ? "null" : value)}</td></tr>`
  return `<section class="card signed-in" data-testid="${framework}-card">
  <h2>${title}</h2>
  <p data-testid="${framework}-status">Signed in.</p>
  <table>
    ${row("User id", "user-id", user.id)}
    ${row("Email", "email", user.email)}
    ${row("Name", "name", user.name)}
    ${row("Email verified", "email-verified", user.emailVerified)}
    ${row("Image", "image", user.image)}
    ${row("Session expires", "expires", data.expires)}
  </table>
  ${signOut}
</section>`
}

export function renderHomePage(data: HomePageData): string {
  const csrf = `<input type="hidden" name="csrfToken" value="${escapeHtml(data.csrfToken)}">`
  const peopleRows = Object.entries(data.people)
    .map(
      ([key, person]) => `<tr>
    <td>${escapeHtml(person.name)}<br><small>${escapeHtml(person.email)}</small></td>
    ${
      data.mounted.authjs
        ? `<td><form method="post" action="/auth/signin/idp?login_hint=${encodeURIComponent(key)}">${csrf}<input type="hidden" name="callbackUrl" value="/">
      <button type="submit" data-testid="authjs-sign-in-${escapeHtml(key)}">Sign in with Auth.js</button></form></td>`
        : ""
    }
    ${
      data.mounted.betterAuth
        ? `<td><button type="button" data-better-auth-idp="${escapeHtml(key)}" data-testid="better-auth-sign-in-${escapeHtml(key)}">Sign in with Better Auth</button></td>`
        : ""
    }
  </tr>`,
    )
    .join("\n")
  const outbox = data.outbox.length
    ? `<ul>${data.outbox
        .slice(-5)
        .reverse()
        .map((link) => `<li>${escapeHtml(link.at.toISOString())} to ${escapeHtml(link.to)}: <a href="${escapeHtml(link.url)}" data-testid="magic-link">open the magic link</a></li>`)
        .join("")}</ul>`
    : "<p>No magic link sent yet.</p>"
  const same =
    data.authjs && data.betterAuth
      ? data.authjs.user.id === data.betterAuth.user.id
        ? `<p class="same" data-testid="same-user">Both frameworks see the same user: ${escapeHtml(data.authjs.user.id)}</p>`
        : `<p class="different" data-testid="different-users">The frameworks are signed in as different users.</p>`
      : ""

  const title =
    data.mounted.authjs && data.mounted.betterAuth ? "One table, two frameworks" : data.mounted.authjs ? "Auth.js on DynamoDB" : "Better Auth on DynamoDB"

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  .cards { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
  .card { border: 1px solid #ccc; border-radius: 8px; padding: 0 1rem 1rem; }
  .signed-in { border-color: #2a7; }
  th { text-align: left; padding-right: 1rem; vertical-align: top; }
  td { word-break: break-all; }
  .same { color: #2a7; font-weight: bold; }
  .different { color: #c60; font-weight: bold; }
  form { display: inline; }
  fieldset { margin-top: 1rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${[data.mounted.authjs ? "Auth.js (under <code>/auth</code>)" : "", data.mounted.betterAuth ? "Better Auth (under <code>/api/auth</code>)" : ""].filter(Boolean).join(" and ")} on the DynamoDB table <code>${escapeHtml(data.tableName)}</code>.</p>
<div class="cards">
${data.mounted.authjs ? userCard("authjs", "Auth.js", data.authjs, `<form method="post" action="/auth/signout">${csrf}<input type="hidden" name="callbackUrl" value="/"><button type="submit" data-testid="authjs-sign-out">Sign out of Auth.js</button></form>`) : ""}
${data.mounted.betterAuth ? userCard("better-auth", "Better Auth", data.betterAuth, `<button type="button" id="better-auth-sign-out" data-testid="better-auth-sign-out">Sign out of Better Auth</button>`) : ""}
</div>
${same}

<h2>Sign in with the loopback identity provider</h2>
<table>
  <tr><th>Person</th>${data.mounted.authjs ? "<th>Auth.js</th>" : ""}${data.mounted.betterAuth ? "<th>Better Auth</th>" : ""}</tr>
  ${peopleRows}
</table>

${data.mounted.betterAuth ? BETTER_AUTH_FORMS : ""}
${data.mounted.authjs ? authjsMagicLinkForm(csrf, outbox) : ""}
</body>
</html>`
}

const BETTER_AUTH_SCRIPT = `
  const errorLine = document.getElementById("better-auth-error")
  async function betterAuth(path, body) {
    const response = await fetch("/api/auth" + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    const answer = await response.json().catch(() => null)
    if (!response.ok) throw new Error((answer && (answer.message || answer.code)) || response.statusText)
    return answer
  }
  function showError(error) { errorLine.textContent = String(error.message || error) }
  for (const button of document.querySelectorAll("[data-better-auth-idp]")) {
    button.addEventListener("click", async () => {
      try {
        const answer = await betterAuth("/sign-in/social", { provider: "idp", callbackURL: "/", loginHint: button.dataset.betterAuthIdp })
        window.location.href = answer.url
      } catch (error) { showError(error) }
    })
  }
  document.getElementById("better-auth-password").addEventListener("submit", async (event) => {
    event.preventDefault()
    const form = new FormData(event.target)
    const action = event.submitter && event.submitter.value === "sign-in" ? "sign-in" : "sign-up"
    try {
      if (action === "sign-up") await betterAuth("/sign-up/email", { name: form.get("name") || String(form.get("email")), email: form.get("email"), password: form.get("password") })
      else await betterAuth("/sign-in/email", { email: form.get("email"), password: form.get("password") })
      window.location.reload()
    } catch (error) { showError(error) }
  })
  const signOut = document.getElementById("better-auth-sign-out")
  if (signOut) signOut.addEventListener("click", async () => {
    try { await betterAuth("/sign-out", {}); window.location.reload() } catch (error) { showError(error) }
  })`

/** Email + password for Better Auth, and the script behind every Better Auth button. */
const BETTER_AUTH_FORMS = `<fieldset>
  <legend>Better Auth: email and password</legend>
  <form id="better-auth-password">
    <input name="name" placeholder="Name" data-testid="password-name">
    <input name="email" type="email" placeholder="Email" required data-testid="password-email">
    <input name="password" type="password" placeholder="Password (8+ characters)" required data-testid="password-password">
    <button type="submit" name="action" value="sign-up" data-testid="password-sign-up">Sign up</button>
    <button type="submit" name="action" value="sign-in" data-testid="password-sign-in">Sign in</button>
  </form>
  <p id="better-auth-error" role="alert"></p>
</fieldset>
<script>${BETTER_AUTH_SCRIPT}</script>`

function authjsMagicLinkForm(csrf: string, outbox: string): string {
  return `<fieldset>
  <legend>Auth.js: email magic link</legend>
  <form method="post" action="/auth/signin/email">${csrf}<input type="hidden" name="callbackUrl" value="/">
    <input name="email" type="email" placeholder="Email" required data-testid="magic-link-email">
    <button type="submit" data-testid="magic-link-send">Send a magic link</button>
  </form>
  <p>There is no mail server: links appear here (and in the server's output).</p>
  ${outbox}
</fieldset>`
}

