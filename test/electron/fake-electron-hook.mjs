// Module hook: `import 'electron'` resolves to the recording fake (plain-Node adapter tests).
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: new URL('./fake-electron.mjs', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
