/**
 * Shows a value a user gave (a file's bytes, a flag, a field) safely inside a one-line message:
 * control and non-printable characters are escaped (`\x00`, `\n`, `\u2028`), and a long value is cut
 * to `max` characters with how much was left out. The result is quoted.
 */
export function printable(value: string, max = 80): string {
  const cut = value.length > max;
  const shown = cut ? value.slice(0, max) : value;
  let out = '';
  for (const ch of shown) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029 || c === 0xfffd || (c >= 0xd800 && c <= 0xdfff)) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return cut ? `"${out}"... (${value.length - max} more characters)` : `"${out}"`;
}
