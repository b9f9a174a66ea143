/**
 * The examples' one page: who is signed in through which framework, buttons
 * to sign in and out with each mounted framework, the DynamoDB requests each
 * action took, and the items the signed-in person has in the table. Plain
 * HTML; the only script is for Better Auth, whose endpoints take JSON.
 */
import type { IdpPerson } from "../../test/support/oidc-idp.js"
import type { ActionRequest, RecordedAction } from "./action-log.js"
import type { SentLink } from "./authjs-setup.js"
import type { PersonItem } from "./person-items.js"

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
  /** The auth actions handled lately, newest first, with the DynamoDB requests each took. */
  actions: readonly RecordedAction[]
  /** The requests this page took to read the sessions. */
  pageRequests: readonly ActionRequest[]
  /** Per signed-in user (one when both frameworks see the same person), the items that belong to them. */
  sharedItems: readonly { userId: string; email: string | null; items: readonly PersonItem[] }[]
  /** Set when Auth.js came back here after "sending" a magic link: to whom. */
  magicLinkSentTo: string | undefined
}

/** What each kind of item is for, in a line. */
const ITEM_ROLES: Record<string, string> = {
  USER: "The user: one item, read and written by both frameworks.",
  EMAIL: "Email claim: keeps the email unique and finds the user by email in one GetItem.",
  ACCOUNT: "The provider account (Auth.js's field names, with Better Auth's added).",
  ACCOUNT_OWNER: "Provider-account claim: one GetItem finds the user at sign-in.",
  ACCOUNT_ID: "Account id lookup: finds the account by its id.",
  SESSION: "A session (Auth.js's and Better Auth's are the same kind of item).",
  SESSION_TOKEN: "Session token item: one GetItem reads the session with a copy of the user.",
  USER_DIRECTORY: "User directory entry: lists every user (Better Auth's admin listUsers) without a Scan.",
}

/** "3 requests: GetItem ×2, Query on GSI1 ×1". */
function requestSummary(requests: readonly ActionRequest[]): string {
  if (requests.length === 0) return "no DynamoDB request"
  const counts = new Map<string, number>()
  for (const request of requests) {
    const name = request.indexName ? `${request.command} on ${request.indexName}` : request.command
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  const parts = [...counts].map(([name, count]) => `${name} ×${count}`).join(", ")
  return `${requests.length} request${requests.length === 1 ? "" : "s"}: ${parts}`
}

function requestsSection(data: HomePageData): string {
  const rows = data.actions
    .map(
      (action) =>
        `<li data-testid="action" data-requests="${action.requests.length}"><span data-label>${escapeHtml(action.label)}</span>: ${escapeHtml(requestSummary(action.requests))}</li>`,
    )
    .join("\n")
  return `<section class="panel" data-testid="requests">
  <h2>DynamoDB requests per action</h2>
  <p data-testid="page-requests" data-requests="${data.pageRequests.length}">This page, reading the session${data.mounted.authjs && data.mounted.betterAuth ? "s of both frameworks" : ""}: ${escapeHtml(requestSummary(data.pageRequests))}.</p>
  ${rows ? `<p>Newest first:</p><ol>${rows}</ol>` : "<p>Sign in to see what each step costs.</p>"}
</section>`
}

function itemsSection(data: HomePageData): string {
  if (data.sharedItems.length === 0) return ""
  const tables = data.sharedItems
    .map(
      ({ userId, email, items }) => `<h3>${escapeHtml(email ?? userId)}</h3>
  <div class="scroll"><table class="items" data-testid="shared-items">
    <tr><th>pk</th><th>sk</th><th>type</th><th>what it is</th></tr>
    ${items
      .map(
        (item) =>
          `<tr data-testid="shared-item" data-type="${escapeHtml(item.type)}"><td><code>${escapeHtml(item.pk)}</code></td><td><code>${escapeHtml(item.sk)}</code></td><td>${escapeHtml(item.type)}</td><td>${escapeHtml(ITEM_ROLES[item.type] ?? "")}</td></tr>`,
      )
      .join("\n    ")}
  </table></div>`,
    )
    .join("\n")
  return `<section class="panel">
  <h2>The signed-in person's items in the table</h2>
  <p>One set of items serves ${data.mounted.authjs && data.mounted.betterAuth ? "both frameworks" : "the framework"}. (Read for this page with a Scan of the demo table through a client of its own, not counted above; the adapters never scan.)</p>
  ${tables}
</section>`
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
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; color: #222; line-height: 1.4; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr)); gap: 1rem; }
  button { font: inherit; font-size: 1rem; min-height: 2.75rem; padding: 0.5rem 0.9rem; margin: 0.2rem 0; border-radius: 6px; border: 1px solid #888; background: #f4f4f4; cursor: pointer; white-space: normal; }
  input { font: inherit; font-size: 1rem; min-height: 2.75rem; padding: 0.4rem 0.6rem; box-sizing: border-box; max-width: 100%; margin: 0.2rem 0; }
  .panel { margin-top: 1.5rem; }
  .notice { background: #eef8f1; border: 1px solid #2a7; border-radius: 8px; padding: 0.75rem 1rem; }
  .scroll { overflow-x: auto; }
  table.items { border-collapse: collapse; font-size: 0.9rem; }
  table.items td, table.items th { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem 0.3rem 0; }
  code { overflow-wrap: anywhere; }
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
${
  data.magicLinkSentTo
    ? `<p class="notice" data-testid="magic-link-sent">Auth.js sent a magic link to ${escapeHtml(data.magicLinkSentTo)}. There is no mail server here, so the link is <a href="#magic-links">below</a>: open it to sign in.</p>`
    : ""
}
<p>${[data.mounted.authjs ? "Auth.js (under <code>/auth</code>)" : "", data.mounted.betterAuth ? "Better Auth (under <code>/api/auth</code>)" : ""].filter(Boolean).join(" and ")} on the DynamoDB table <code>${escapeHtml(data.tableName)}</code>.</p>
<div class="cards">
${data.mounted.authjs ? userCard("authjs", "Auth.js", data.authjs, `<form method="post" action="/auth/signout">${csrf}<input type="hidden" name="callbackUrl" value="/"><button type="submit" data-testid="authjs-sign-out">Sign out of Auth.js</button></form>`) : ""}
${data.mounted.betterAuth ? userCard("better-auth", "Better Auth", data.betterAuth, `<button type="button" id="better-auth-sign-out" data-testid="better-auth-sign-out">Sign out of Better Auth</button>`) : ""}
</div>
${same}
${requestsSection(data)}
${itemsSection(data)}

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
  return `<fieldset id="magic-links">
  <legend>Auth.js: email magic link</legend>
  <form method="post" action="/auth/signin/email">${csrf}<input type="hidden" name="callbackUrl" value="/">
    <input name="email" type="email" placeholder="Email" required data-testid="magic-link-email">
    <button type="submit" data-testid="magic-link-send">Send a magic link</button>
  </form>
  <p>There is no mail server: links appear here (and in the server's output).</p>
  ${outbox}
</fieldset>`
}

