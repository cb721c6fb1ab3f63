// Test outcomes from node:test's TAP reporter (used by scripts/test-repeat.mjs).

/**
 * Every test's full name ("suite > test") with its outcome, in report order. Subtests are
 * indented four spaces per level and announced by "# Subtest: name" before their result.
 */
export function parseTap(text) {
  const stack = [];
  const results = [];
  for (const line of text.split('\n')) {
    const sub = /^( *)# Subtest: (.*)$/.exec(line);
    if (sub) { const d = sub[1].length / 4; stack.length = d; stack[d] = sub[2]; continue; }
    const m = /^( *)(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b.*)?$/.exec(line);
    if (!m) continue;
    const d = m[1].length / 4;
    results.push({ name: [...stack.slice(0, d), m[3]].join(' > '), ok: m[2] === 'ok', skipped: !!m[4] });
    stack.length = d;
  }
  return results;
}
