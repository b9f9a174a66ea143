/**
 * The Auth.js side of the examples: the loopback identity provider (OIDC)
 * and email magic links, with database sessions, on the shared table.
 */
import type { AuthConfig } from "@auth/core"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import type { OidcIdp } from "../../test/support/oidc-idp.js"
import { IDP_PROVIDER_ID } from "./better-auth-setup.js"

/** A magic link Auth.js would have emailed. The examples have no mail server, so links are kept here. */
export interface SentLink {
  to: string
  url: string
  at: Date
}

/** Where the examples "send" magic links: kept in memory, newest last, and printed. */
export class Outbox {
  readonly links: SentLink[] = []
  constructor(private readonly print: boolean) {}

  add(to: string, url: string): void {
    this.links.push({ to, url, at: new Date() })
    if (this.print) console.log(`Magic link for ${to}: ${url}`)
  }

  /** The newest link sent to `to`. */
  latestFor(to: string): string | undefined {
    return this.links.filter((link) => link.to === to.toLowerCase()).at(-1)?.url
  }
}

export interface AuthjsSetupOptions {
  client: DynamoDBClient
  tableName: string
  idp: OidcIdp
  outbox: Outbox
  /** Default `/auth`. */
  basePath?: string
}

export function createAuthjsConfig(options: AuthjsSetupOptions) {
  const adapter = DynamoDBAdapter(options.client, { tableName: options.tableName })
  const config = {
    basePath: options.basePath ?? "/auth",
    // The examples run on loopback with whatever Host the browser sends.
    trustHost: true,
    // A fixed secret is fine for a local demo; a real app reads AUTH_SECRET.
    secret: "example-authjs-secret-0123456789abcdef0123",
    adapter,
    session: { strategy: "database" },
    // Back to the demo after a magic link is "sent": the page shows the link (there is no mail server), where
    // Auth.js's own "check your email" page would leave the person with no way back.
    pages: { verifyRequest: "/" },
    providers: [
      {
        id: IDP_PROVIDER_ID,
        name: "Loopback IdP",
        type: "oidc",
        issuer: options.idp.issuer,
        clientId: options.idp.clientId,
        clientSecret: options.idp.clientSecret,
        // The loopback provider vouches for its emails, so it may join a user made with a password or a magic link.
        allowDangerousEmailAccountLinking: true,
      },
      {
        id: "email",
        name: "Email",
        type: "email",
        from: "examples@localhost",
        maxAge: 10 * 60,
        sendVerificationRequest: ({ identifier, url }) => options.outbox.add(identifier, url),
      },
    ],
    callbacks: {
      // Database sessions carry the user; the page shows its id.
      session({ session, user }) {
        return { ...session, user: { ...session.user, id: user.id } }
      },
    },
  } satisfies AuthConfig
  return { config: config as AuthConfig, adapter }
}

export type ExampleAuthjs = ReturnType<typeof createAuthjsConfig>
