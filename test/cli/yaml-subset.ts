/**
 * Reads back the YAML subset `src/table/iac/yaml.ts` writes (block mappings,
 * block sequences, plain and JSON-quoted scalars), so tests can check the
 * printed template itself rather than the object it came from. Throws on
 * anything outside that subset.
 */
type Value = string | number | boolean | null | Value[] | { [key: string]: Value }

interface Line {
  indent: number
  text: string
  number: number
}

function scalar(text: string): Value {
  if (text.startsWith('"')) return JSON.parse(text) as string
  if (text === "true") return true
  if (text === "false") return false
  if (text === "null") return null
  if (text === "[]") return []
  if (text === "{}") return {}
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text)
  if (/^[A-Za-z_][A-Za-z0-9_./:-]*$/.test(text)) return text
  throw new Error(`not in the YAML subset: ${text}`)
}

function splitKey(text: string, line: Line): [string, string] {
  const match = /^("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_./:-]*?):(?: (.*))?$/.exec(text)
  if (!match) throw new Error(`line ${line.number}: expected "key: value", got ${text}`)
  return [scalar(match[1] ?? "") as string, match[2] ?? ""]
}

export function parseYamlSubset(source: string): Value {
  const lines: Line[] = source
    .split("\n")
    .map((raw, i) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim(), number: i + 1 }))
    .filter((line) => line.text !== "" && !line.text.startsWith("#"))
  let position = 0

  function block(indent: number): Value {
    const first = lines[position]
    if (!first || first.indent !== indent) throw new Error(`line ${first?.number}: expected indentation ${indent}`)
    if (first.text.startsWith("- ")) {
      const items: Value[] = []
      while (lines[position]?.indent === indent && lines[position]?.text.startsWith("- ")) {
        const line = lines[position] as Line
        // "- rest" is an item whose content starts two columns further in.
        lines[position] = { indent: indent + 2, text: line.text.slice(2), number: line.number }
        if (/^(?:"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_./:-]*?):(?: |$)/.test(line.text.slice(2)) || line.text.slice(2).startsWith("- ")) {
          items.push(block(indent + 2))
        } else {
          items.push(scalar(line.text.slice(2)))
          position++
        }
      }
      return items
    }
    const mapping: { [key: string]: Value } = {}
    while (lines[position]?.indent === indent && !lines[position]?.text.startsWith("- ")) {
      const line = lines[position] as Line
      const [key, rest] = splitKey(line.text, line)
      position++
      if (rest !== "") mapping[key] = scalar(rest)
      else {
        const next = lines[position]
        if (!next || next.indent <= indent) throw new Error(`line ${line.number}: "${key}:" has no value`)
        mapping[key] = block(next.indent)
      }
    }
    return mapping
  }

  const value = block(0)
  if (position !== lines.length) throw new Error(`line ${lines[position]?.number}: unexpected indentation`)
  return value
}
