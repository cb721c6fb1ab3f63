// Detach keys, handled client side as conmon expects (nothing is sent for them).
// Format as Docker's: "ctrl-p,ctrl-q", letters, "ctrl-@", "ctrl-[" … Default ctrl-p,ctrl-q.

export function parseDetachKeys(spec = 'ctrl-p,ctrl-q'): number[] {
  if (spec === '') return [];
  return spec.split(',').map((k) => {
    const key = k.trim();
    if (key.length === 1) return key.charCodeAt(0);
    const m = key.match(/^ctrl-(.)$/i);
    if (m) {
      const c = m[1];
      if (/[a-z]/i.test(c)) return c.toLowerCase().charCodeAt(0) - 96;
      const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      if (c in special) return special[c];
    }
    throw Object.assign(new Error(`invalid detach key "${key}": use letters or ctrl-<letter> separated by commas`), { code: 'EINVAL' });
  });
}

/** Scans stdin; passes bytes through until the whole sequence was typed. */
export class DetachFilter {
  private matched = 0;
  constructor(private readonly keys: number[]) {}
  /** Returns the bytes to forward and whether the sequence completed (then stop reading). */
  push(data: Buffer): { data: Buffer; detach: boolean } {
    if (!this.keys.length) return { data, detach: false };
    const out: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { data: Buffer.from(out), detach: true };
        continue;
      }
      // not the sequence: flush what was held back
      if (this.matched) { out.push(...this.keys.slice(0, this.matched)); this.matched = 0; }
      if (b === this.keys[0]) { this.matched = 1; if (this.keys.length === 1) return { data: Buffer.from(out), detach: true }; continue; }
      out.push(b);
    }
    return { data: Buffer.from(out), detach: false };
  }
}
