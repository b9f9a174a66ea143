/**
 * A small YAML emitter for plain data (mappings, sequences, strings, numbers,
 * booleans): enough for a CloudFormation template, without a dependency.
 * Strings that YAML could read as anything but the same string are written
 * JSON-quoted, which YAML reads as the same string.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue }

const PLAIN = /^[A-Za-z_](?:[A-Za-z0-9_./:-]*[A-Za-z0-9_./-])?$/
// YAML 1.1 readers (CloudFormation's among them) take these as booleans or null.
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null)$/i

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null"
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`)
    return String(value)
  }
  if (typeof value === "boolean") return String(value)
  return PLAIN.test(value) && !RESERVED.test(value) && !value.includes(": ") ? value : JSON.stringify(value)
}

function isCollection(value: YamlValue): value is YamlValue[] | { [key: string]: YamlValue } {
  return typeof value === "object" && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0)
}

function emptyCollection(value: YamlValue): string | undefined {
  if (Array.isArray(value) && value.length === 0) return "[]"
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return "{}"
  return undefined
}

function lines(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isCollection(item)) return [`${indent}- ${emptyCollection(item) ?? scalar(item as string | number | boolean | null)}`]
      const [first = "", ...rest] = lines(item, `${indent}  `)
      // The first line of a nested block shares the dash: "- Key: value".
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest]
    })
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, child]) => {
      const name = scalar(key)
      if (isCollection(child)) return [`${indent}${name}:`, ...lines(child, `${indent}  `)]
      return [`${indent}${name}: ${emptyCollection(child) ?? scalar(child as string | number | boolean | null)}`]
    })
  }
  return [`${indent}${scalar(value)}`]
}

/** The value as a YAML document, newline-terminated. */
export function toYaml(value: YamlValue): string {
  return `${lines(value, "").join("\n")}\n`
}
