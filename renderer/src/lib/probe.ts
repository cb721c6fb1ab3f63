// Render counters for tests and benchmarks (enabled by window.__PIER_TEST__ before load).
const counts = new Map<string, number>();
const on = typeof window !== 'undefined' && !!window.__PIER_TEST__;
if (on) (window as unknown as { __pierRenders: Map<string, number> }).__pierRenders = counts;

export function renderCount(key: string): void {
  if (on) counts.set(key, (counts.get(key) ?? 0) + 1);
}
