"use server"
/**
 * The page's buttons: server actions that start and end each framework's
 * session. Both sign-ins leave for the identity provider and come back to `/`.
 */
import { headers } from "next/headers"
import { redirect } from "next/navigation"
import { signIn, signOut } from "../auth"
import { betterAuthInstance } from "../lib/better-auth"
import { IDP_PROVIDER_ID } from "../lib/identity-provider"

export async function signInWithAuthjs(): Promise<void> {
  await signIn(IDP_PROVIDER_ID, { redirectTo: "/" })
}

export async function signOutOfAuthjs(): Promise<void> {
  await signOut({ redirectTo: "/" })
}

export async function signInWithBetterAuth(): Promise<void> {
  const { url } = await betterAuthInstance.api.signInSocial({
    body: { provider: IDP_PROVIDER_ID, callbackURL: "/" },
    headers: await headers(),
  })
  if (!url) throw new Error("Better Auth returned no authorization URL for the identity provider")
  redirect(url)
}

export async function signOutOfBetterAuth(): Promise<void> {
  await betterAuthInstance.api.signOut({ headers: await headers() })
  redirect("/")
}
