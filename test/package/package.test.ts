/**
 * The package as users get it: `npm pack`'s tarball, linted by publint and
 * @arethetypeswrong/cli, unpacked into a scratch project, imported from ESM
 * and CJS, its bin run, and its types compiled by `tsc` with
 * `moduleResolution: "bundler"` and `"node16"`. Every entry of `exports` is
 * checked, so new subpaths are covered as soon as they are declared.
 *
 * Needs `npm run build` first (`.ci/run` builds before testing); without
 * dist/ it fails, saying so.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "../..")
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string
  bin?: Record<string, string>
  main?: string
  module?: string
  types?: string
  exports: Record<string, unknown>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}
const name = packageJson.name

/** Code subpaths of `exports` ("./package.json" and other non-code files excluded), as import specifiers. */
const entries = Object.keys(packageJson.exports)
  .filter((subpath) => !/\.(?:json|css)$/.test(subpath))
  .map((subpath) => ({ subpath, specifier: subpath === "." ? name : `${name}/${subpath.slice(2)}` }))

/** Every file `exports`, `main`, `module`, `types` and `bin` point at. */
function declaredFiles(): string[] {
  const files = new Set<string>()
  const walk = (value: unknown) => {
    if (typeof value === "string") files.add(value)
    else if (value && typeof value === "object") Object.values(value).forEach(walk)
  }
  walk(packageJson.exports)
  walk(packageJson.bin)
  for (const field of [packageJson.main, packageJson.module, packageJson.types]) walk(field)
  return [...files].filter((file) => !file.includes("*") && file !== "./package.json")
}

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 })
  if (result.error) throw result.error
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function explain(result: Run): string {
  return `exit ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`
}

let work = ""
let tarball: string
let scratch: string
let unpacked: string

/** Why the package cannot be checked, or undefined when dist/ holds everything package.json points at. */
const notBuilt = (() => {
  const missing = declaredFiles().filter((file) => !existsSync(join(root, file)))
  if (missing.length === 0) return undefined
  return (
    `dist/ is missing ${missing.join(", ")}: run \`npm run build\` before \`npm test\` ` +
    "(these checks test the built package; .ci/run builds first)."
  )
})()

/** Every check fails, rather than skips, on an unbuilt package. */
function requireBuilt(): void {
  if (notBuilt) throw new Error(notBuilt)
}

beforeAll(() => {
  if (notBuilt) return
  work = mkdtempSync(join(tmpdir(), "package-check-"))
  const packed = run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], root)
  expect(packed.status, explain(packed)).toBe(0)
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
  tarball = join(work, filename)

  // A scratch app whose node_modules holds the unpacked tarball and, linked
  // from this repository, only what the package declares it needs (so an
  // undeclared import fails here as it would for a user) plus TypeScript's
  // Node types, as an app would have.
  scratch = join(work, "app")
  unpacked = join(scratch, "node_modules", name)
  mkdirSync(unpacked, { recursive: true })
  const untar = run("tar", ["-xzf", tarball, "-C", unpacked, "--strip-components=1"], work)
  expect(untar.status, explain(untar)).toBe(0)
  const needed = [...Object.keys(packageJson.dependencies ?? {}), ...Object.keys(packageJson.peerDependencies ?? {}), "@types/node"]
  for (const dependency of needed) {
    const source = join(root, "node_modules", dependency)
    if (!existsSync(source)) throw new Error(`${dependency} is declared but not installed in ${root}/node_modules: run npm install`)
    const target = join(scratch, "node_modules", dependency)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(source, target, "dir")
  }
  for (const [command, file] of Object.entries(packageJson.bin ?? {})) {
    mkdirSync(join(scratch, "node_modules", ".bin"), { recursive: true })
    symlinkSync(join(unpacked, file), join(scratch, "node_modules", ".bin", command))
  }
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch-app", private: true, type: "module" }))
}, 60_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

/** The sorted export names of every entry, as the scratch app sees them at run time through `import()` or `require()`. */
function runtimeExports(kind: "esm" | "cjs"): Record<string, string[]> {
  const specifiers = JSON.stringify(entries.map((e) => e.specifier))
  const file = kind === "esm" ? "esm.mjs" : "cjs.cjs"
  const load = kind === "esm" ? "await import(s)" : "require(s)"
  writeFileSync(join(scratch, file), `const out = {}\nfor (const s of ${specifiers}) out[s] = Object.keys(${load}).sort()\nconsole.log(JSON.stringify(out))\n`)
  const result = run(process.execPath, [file], scratch)
  expect(result.status, explain(result)).toBe(0)
  return JSON.parse(result.stdout) as Record<string, string[]>
}

describe(`the packed ${name}`, () => {
  it("is built: dist/ holds every file package.json points at", () => {
    requireBuilt()
    expect(entries.map((e) => e.subpath)).toContain(".")
  })

  it("passes publint with no message of any level", async () => {
    requireBuilt()
    const { messages, pkg } = await publint({ pkgDir: unpacked, pack: false, level: "suggestion", strict: true })
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`)).toEqual([])
  })

  it("passes @arethetypeswrong/cli for every entry (node16 ESM and CJS, bundler)", () => {
    requireBuilt()
    // node10 resolution (no `exports`) is out of scope: engines.node is >= 20.
    const attw = run(join(root, "node_modules/.bin/attw"), [tarball, "--profile", "node16", "--format", "json"], work)
    const report = JSON.parse(attw.stdout) as { problems: Record<string, unknown>; analysis: { entrypoints: Record<string, unknown> } }
    expect(report.problems, explain(attw)).toEqual({})
    expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining(entries.map((e) => e.subpath)))
    expect(attw.status, explain(attw)).toBe(0)
  })

  it("is imported from ESM and from CJS, with the same exports", () => {
    requireBuilt()
    const esmExports = runtimeExports("esm")
    for (const { specifier } of entries) expect(esmExports[specifier]?.length, `${specifier} exports nothing`).toBeGreaterThan(0)
    expect(runtimeExports("cjs")).toEqual(esmExports)
    expect(esmExports[name]).toEqual(expect.arrayContaining(["createTable", "createTableInput", "resolveTableNames", "DynamoAuthAdapterError"]))
  })

  it("runs its bin", () => {
    requireBuilt()
    for (const [command, file] of Object.entries(packageJson.bin ?? {})) {
      expect(readFileSync(join(unpacked, file), "utf8").startsWith("#!/usr/bin/env node\n"), `${file} lacks a node shebang`).toBe(true)
      const help = run(process.execPath, [join(scratch, "node_modules", ".bin", command), "--help"], scratch)
      expect(help.status, explain(help)).toBe(0)
      expect(help.stdout).toContain(`Usage: ${command} <command>`)
      const iac = run(process.execPath, [join(scratch, "node_modules", ".bin", command), "print-iac", "--format", "terraform"], scratch)
      expect(iac.status, explain(iac)).toBe(0)
      expect(iac.stdout).toContain(`resource "aws_dynamodb_table"`)
    }
  })

  it("has types that resolve and match the runtime exports under moduleResolution bundler and node16", () => {
    requireBuilt()
    const exported = runtimeExports("esm")
    // For each entry: the namespace is typed (not any), and its value exports
    // are exactly the runtime ones (a missing key or an extra one is an error).
    const source = [
      "type IsAny<T> = 0 extends 1 & T ? true : false",
      ...entries.flatMap(({ specifier }, i) => [
        `import * as entry${i} from ${JSON.stringify(specifier)}`,
        `export const typed${i}: IsAny<typeof entry${i}> = false`,
        `export const keys${i}: Record<keyof typeof entry${i}, true> = { ${(exported[specifier] ?? []).map((key) => `${JSON.stringify(key)}: true`).join(", ")} }`,
      ]),
      `import { createTable, resolveTableNames, type TableNames } from ${JSON.stringify(name)}`,
      `export const names: TableNames = resolveTableNames({ tableName: "t" })`,
      // skipLibCheck hides an unresolvable import inside our .d.ts by turning it into any: catch that on a peer's type.
      `export const clientTyped: IsAny<Parameters<typeof createTable>[0]> = false`,
      "",
    ].join("\n")
    writeFileSync(join(scratch, "bundler.ts"), source)
    writeFileSync(join(scratch, "node16-esm.mts"), source)
    writeFileSync(join(scratch, "node16-cjs.cts"), source)
    // skipLibCheck as most apps set it: errors inside third-party .d.ts files are not this package's to fail on.
    const base = { strict: true, noEmit: true, skipLibCheck: true, types: ["node"], target: "ES2022", lib: ["ES2022", "DOM"] }
    writeFileSync(
      join(scratch, "tsconfig.bundler.json"),
      JSON.stringify({ compilerOptions: { ...base, module: "ESNext", moduleResolution: "bundler" }, files: ["bundler.ts"] }),
    )
    writeFileSync(
      join(scratch, "tsconfig.node16.json"),
      JSON.stringify({ compilerOptions: { ...base, module: "node16", moduleResolution: "node16" }, files: ["node16-esm.mts", "node16-cjs.cts"] }),
    )
    const tsc = join(root, "node_modules/typescript/bin/tsc")
    for (const config of ["tsconfig.bundler.json", "tsconfig.node16.json"]) {
      const compiled = run(process.execPath, [tsc, "-p", config], scratch)
      expect(compiled.status, `${config}: ${explain(compiled)}`).toBe(0)
    }
  })
})

describe("one framework without the other", () => {
  const frameworks: Record<string, string[]> = {
    // Better Auth's packages are what an Auth.js app does not install, and the reverse.
    "./authjs": ["better-auth", "@better-auth/core"],
    "./better-auth": ["@auth/core"],
  }

  for (const [subpath, absent] of Object.entries(frameworks)) {
    it(`${subpath} loads from ESM and CJS in an app that has not installed ${absent.join(" or ")}`, () => {
      requireBuilt()
      const app = join(work, `app-${subpath.slice(2)}`)
      mkdirSync(join(app, "node_modules"), { recursive: true })
      symlinkSync(unpacked, join(app, "node_modules", name), "dir")
      const needed = [...Object.keys(packageJson.dependencies ?? {}), ...Object.keys(packageJson.peerDependencies ?? {})].filter((d) => !absent.includes(d))
      for (const dependency of needed) {
        const target = join(app, "node_modules", dependency)
        mkdirSync(dirname(target), { recursive: true })
        symlinkSync(join(root, "node_modules", dependency), target, "dir")
      }
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "one-framework-app", private: true, type: "module" }))
      const specifier = `${name}${subpath.slice(1)}`
      const probe = `const missing = ${JSON.stringify(absent)}.filter((m) => { try { require.resolve(m); return false } catch { return true } })\n`
      writeFileSync(join(app, "check.cjs"), `${probe}const m = require(${JSON.stringify(specifier)})\nconsole.log(JSON.stringify({ missing, exports: Object.keys(m).length, same: m.DynamoAuthAdapterError === require(${JSON.stringify(name)}).DynamoAuthAdapterError }))\n`)
      writeFileSync(join(app, "check.mjs"), `const m = await import(${JSON.stringify(specifier)})\nconst root = await import(${JSON.stringify(name)})\nconsole.log(JSON.stringify({ exports: Object.keys(m).length, same: m.DynamoAuthAdapterError === root.DynamoAuthAdapterError }))\n`)
      const cjs = run(process.execPath, ["check.cjs"], app)
      expect(cjs.status, explain(cjs)).toBe(0)
      expect(JSON.parse(cjs.stdout)).toEqual({ missing: absent, exports: expect.any(Number), same: true })
      const esm = run(process.execPath, ["check.mjs"], app)
      expect(esm.status, explain(esm)).toBe(0)
      expect(JSON.parse(esm.stdout)).toMatchObject({ same: true })
      expect(JSON.parse(esm.stdout).exports).toBeGreaterThan(0)
    })
  }
})
