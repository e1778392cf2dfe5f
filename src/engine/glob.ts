/**
 * Matches shell-style globs (`*` any run, `?` one character) against a whole string, in time
 * proportional to pattern × text at worst and without recursion: a regular expression built from
 * `*a*a*a*a*b` backtracks exponentially on a long name (60 s for 250 characters), which a policy
 * author could turn into an admission outage. Only the last `*` is ever retried, which is enough:
 * a later star can absorb whatever an earlier one would have.
 */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    const want = pattern[p];
    if (want === "*") {
      starAt = p;
      resumeAt = t;
      p += 1;
    } else if (p < pattern.length && (want === "?" || want === text[t])) {
      p += 1;
      t += 1;
    } else if (starAt >= 0) {
      // Let the last star swallow one more character and try the rest of the pattern again.
      p = starAt + 1;
      resumeAt += 1;
      t = resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p += 1;
  return p === pattern.length;
}
