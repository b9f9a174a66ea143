/**
 * The UTF-8 length of a string, counted without encoding it: size checks run
 * on every write, and TextEncoder allocates a buffer per string. Portable
 * (no Buffer), for runtimes without Node's APIs. A lone surrogate counts 3
 * bytes, as TextEncoder encodes it (U+FFFD).
 */
export function utf8Length(value: string): number {
  let bytes = 0
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}
