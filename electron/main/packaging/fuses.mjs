// Pier's Electron fuse policy, shared by electron-builder (afterPack hook below) and
// Electron Forge (forge.config.ts imports fusePolicy). Plain ESM JavaScript so the
// packager can load it without a TypeScript loader.
//
// runAsNode off            ELECTRON_RUN_AS_NODE cannot turn the app into a node binary
// nodeOptions off          NODE_OPTIONS / NODE_EXTRA_CA_CERTS are ignored
// nodeCliInspect off       --inspect* refused — except in an E2E build (PIER_E2E_BUILD=1):
//                          Playwright's _electron.launch always passes --inspect=0 (Podman
//                          Desktop re-enables it from an env var the same way)
// cookieEncryption on, onlyLoadAppFromAsar on, asar integrity on (mac/win),
// browser-specific V8 snapshot off, grantFileProtocolExtraPrivileges off (Pier serves
// its renderer over pier://, never file://), wasmTrapHandlers left on (default).

/** @param {Record<string, string | undefined>} [env] */
export function fusePolicy(env = process.env) {
  return {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: env.PIER_E2E_BUILD === '1',
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  };
}

/**
 * electron-builder afterPack hook: flips the fuses with the env-dependent policy
 * (electron-builder's static `electronFuses` cannot depend on the environment).
 * generateFuseConfig maps these names to @electron/fuses' FuseV1Options (as electronFuses would).
 * @param {{ packager: { generateFuseConfig(f: ReturnType<typeof fusePolicy>): Promise<unknown>, addElectronFuses(ctx: unknown, cfg: unknown): Promise<void> } }} context
 */
export async function afterPack(context) {
  const fuses = fusePolicy();
  if (fuses.enableNodeCliInspectArguments) console.warn('pier: E2E build (PIER_E2E_BUILD=1): the nodeCliInspect fuse stays ON; do not ship this build');
  await context.packager.addElectronFuses(context, await context.packager.generateFuseConfig(fuses));
}
