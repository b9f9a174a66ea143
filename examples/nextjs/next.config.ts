import { realpathSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import type { NextConfig } from "next"

const appDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(appDir, "../..")

/**
 * Turbopack compiles only files under its root, which it guesses from the
 * nearest lock file (the repository's). The app imports the library's build
 * from the repository root; its node_modules may be a symlink to another
 * checkout (a git worktree sharing one install), so the root is the folder
 * holding both.
 */
function workspaceRoot(): string {
  let root = repoRoot
  const modules = realpathSync(join(repoRoot, "node_modules"))
  while (relative(root, modules).startsWith("..")) root = dirname(root)
  return root.endsWith(sep) && root.length > 1 ? root.slice(0, -1) : root
}

const root = workspaceRoot()

const nextConfig: NextConfig = {
  turbopack: { root },
  outputFileTracingRoot: root,
}

export default nextConfig
