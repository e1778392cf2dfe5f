/** C0 and C1 controls, DEL, line/paragraph separators and bidi overrides: text that moves a terminal's cursor, forges a line or reorders what is shown. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const ANY_UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Text from objects (names, labels, container names, protocols) made safe to show a person: every
 * control character becomes a visible escape (`\x1b`, `\r`, `\u202e`) and a lone surrogate becomes
 * U+FFFD, so `\e[2K\r` in a name cannot overwrite a DENY line in a CI log.
 */
export function printable(text: string): string {
  if (!ANY_UNPRINTABLE.test(text)) return text.isWellFormed() ? text : text.toWellFormed();
  return text.replace(UNPRINTABLE, escapeOne).toWellFormed();
}

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}
