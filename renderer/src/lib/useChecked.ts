// A view's own row selection (checked rows), keyed by the resource; keys that left the list drop out.
import { useMemo, useState } from 'react';

export interface Checked {
  checked: Record<string, true>;
  keys: string[];
  toggle(key: string): void;
  set(keys: string[]): void;
}

export function useChecked(present: string[]): Checked {
  const [raw, setRaw] = useState<Record<string, true>>({});
  const live = present.join('\n');
  const checked = useMemo(() => {
    const here = new Set(live.split('\n'));
    return Object.fromEntries(
      Object.keys(raw)
        .filter((k) => here.has(k))
        .map((k) => [k, true as const]),
    );
  }, [raw, live]);
  return {
    checked,
    keys: Object.keys(checked),
    toggle: (k) =>
      setRaw((r) => {
        const next = { ...r };
        if (next[k]) delete next[k];
        else next[k] = true;
        return next;
      }),
    set: (keys) => setRaw(Object.fromEntries(keys.map((k) => [k, true as const]))),
  };
}
