import type { ReactNode } from "react"

export const metadata = { title: "Next.js: Auth.js and Better Auth on one DynamoDB table" }

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: "2rem auto", maxWidth: "48rem", padding: "0 1rem" }}>{children}</body>
    </html>
  )
}
