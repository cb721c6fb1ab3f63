export interface PierFusePolicy {
  runAsNode: boolean;
  enableCookieEncryption: boolean;
  enableNodeOptionsEnvironmentVariable: boolean;
  enableNodeCliInspectArguments: boolean;
  enableEmbeddedAsarIntegrityValidation: boolean;
  onlyLoadAppFromAsar: boolean;
  loadBrowserProcessSpecificV8Snapshot: boolean;
  grantFileProtocolExtraPrivileges: boolean;
}
export function fusePolicy(env?: Record<string, string | undefined>): PierFusePolicy;
export function afterPack(context: { packager: { generateFuseConfig(f: PierFusePolicy): Promise<unknown>; addElectronFuses(ctx: unknown, cfg: unknown): Promise<void> } }): Promise<void>;
