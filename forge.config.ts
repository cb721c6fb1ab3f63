// Electron Forge 8 configuration (Vite plugin, fuses, Linux makers).
// Forge 8's CLI needs Node >= 22.13 (`npx electron-forge start|make`); on Node 20 this file
// is only type-checked (test/unit/electron-packaging.test.ts). The primary build on Node 20
// is electron-vite + electron-builder (electron-builder.json); both apply the same fuse
// policy (electron/main/packaging/fuses.mjs) and keep `.node` files out of the asar.
import type { ForgeConfig } from '@electron-forge/shared-types';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { fusePolicy } from './electron/main/packaging/fuses.mjs';
import { forgeAsarOptions, forgeIgnore } from './electron/main/packaging/layout.mjs';

const policy = fusePolicy(process.env);

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Pier',
    executableName: 'pier',
    appBundleId: 'dev.pier.desktop',
    icon: 'assets/icon',
    // the same files outside the asar as electron-builder.json's asarUnpack (packaging/layout.mjs): both addon
    // copies, node-pty, and the self-contained image worker the Vite plugin writes to .vite/worker
    asar: forgeAsarOptions('.vite/build'),
    extraResource: [],
    // only the Vite output, assets, node_modules and package.json (electron-builder.json's "files")
    ignore: forgeIgnore,
  },
  rebuildConfig: { onlyModules: [] },
  makers: [
    { name: '@electron-forge/maker-zip', platforms: ['linux'], config: {} },
    {
      name: '@electron-forge/maker-deb',
      platforms: ['linux'],
      config: { options: { name: 'pier', productName: 'Pier', icon: 'assets/icons/512x512.png', categories: ['Development'], desktopTemplate: 'assets/linux/pier.desktop.ejs', depends: ['conmon', 'runc | crun', 'libnotify4', 'libnss3'], recommends: ['criu', 'libayatana-appindicator3-1'] } },
    },
    {
      name: '@electron-forge/maker-rpm',
      platforms: ['linux'],
      config: { options: { name: 'pier', productName: 'Pier', icon: 'assets/icons/512x512.png', categories: ['Development'], desktopTemplate: 'assets/linux/pier.desktop.ejs', requires: ['conmon', '(runc or crun)'] } },
    },
  ],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'electron/main/index.ts', config: 'electron/main/vite.forge.config.ts', target: 'main' },
        // the pty host process, .vite/build/pty-host.js beside index.js as with electron-vite
        { entry: 'electron/engine/sessions/pty-host.ts', config: 'electron/main/vite.forge.pty.config.ts', target: 'main' },
        { entry: 'electron/preload/index.ts', config: 'electron/preload/vite.forge.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'renderer/vite.config.ts' }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: policy.runAsNode,
      [FuseV1Options.EnableCookieEncryption]: policy.enableCookieEncryption,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: policy.enableNodeOptionsEnvironmentVariable,
      [FuseV1Options.EnableNodeCliInspectArguments]: policy.enableNodeCliInspectArguments,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: policy.enableEmbeddedAsarIntegrityValidation,
      [FuseV1Options.OnlyLoadAppFromAsar]: policy.onlyLoadAppFromAsar,
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: policy.loadBrowserProcessSpecificV8Snapshot,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: policy.grantFileProtocolExtraPrivileges,
    }),
  ],
};

export default config;
