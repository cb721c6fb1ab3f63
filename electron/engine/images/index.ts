// The image subsystem's seam: the engine uses images only through this module.
// Vocabulary (DESIGN.md §8): an image is a tagged manifest + config + ordered layers in
// the content store; a layer is one unpacked filesystem diff, shared by every image
// that has it; a snapshot is a container's writable root (overlay or copy).
import type { OciImageConfig } from './schema';
import { LocalImageService, type ImageServiceOptions } from './service';
import { fromDockerHealthcheck } from '../containers/healthcheck-config';
import type { HealthcheckConfig } from '../../common/types';
import type { LowerLayer } from './extract';

export type { OciImageConfig } from './schema';
export { ImageError, ImageNotFoundError, BadReferenceError, DigestMismatchError, RegistryAuthError, RegistryError, ImageInUseError, BadArchiveError, type ImageErrorCode } from './errors';
export { parseReference, familiarName, DEFAULT_REGISTRY_SETTING, type Reference } from './reference';
export { createSnapshotter } from './snapshot';

export interface ImageProgress { ref: string; layer?: string /* digest */; status: string /* 'resolving'|'downloading'|'verifying'|'extracting'|'done'|'exists' */; current?: number; total?: number }
export interface ImageRecord { id: string /* sha256:<config digest> */; repoTags: string[]; repoDigests: string[]; created: string; size: number; layers: string[] /* diff ids */; config: OciImageConfig; parent?: string }
/** A new local image: a parent's layers (none: scratch), optionally one more layer tar, a config and a history entry. */
export interface NewImage {
  parent?: string;
  layer?: { file: string; diffId: string };
  config: NonNullable<OciImageConfig['config']>;
  history: { created_by: string; comment?: string; author?: string; empty_layer?: boolean };
  author?: string;
  tags?: string[];
}
export interface ImageService {
  pull(ref: string, opts?: { onProgress?: (p: ImageProgress) => void; signal?: AbortSignal; auth?: { username: string; password: string } }): Promise<ImageRecord>;
  load(input: NodeJS.ReadableStream | string /* path */, opts?: { onProgress?: (p: ImageProgress) => void }): Promise<ImageRecord[]>;
  save(refsOrIds: string[], out: NodeJS.WritableStream, opts?: { format?: 'docker-archive' | 'oci-archive' }): Promise<void>;
  list(): Promise<ImageRecord[]>;
  /** Throws ImageNotFoundError (code 'ENOIMAGE') naming the ref. */
  inspect(refOrId: string): Promise<ImageRecord>;
  tag(refOrId: string, newRef: string): Promise<void>;
  remove(refOrId: string, opts?: { force?: boolean; inUse?: (id: string) => boolean }): Promise<{ untagged: string[]; deleted: string[] }>;
  /** Newest first, like `docker history`. */
  history(refOrId: string): Promise<Array<{ created: string; createdBy: string; size: number; comment?: string; emptyLayer?: boolean }>>;
  prune(opts?: { inUse: (id: string) => boolean; all?: boolean }): Promise<{ deleted: string[]; spaceReclaimed: number }>;
  diskUsage(): Promise<{ images: number; layersSize: number }>;
  /** Added: the image's unpacked layer directories, bottom first (used by the snapshotter). */
  layerStack(refOrId: string): Promise<Array<LowerLayer & { chainId: string }>>;
  /** Added: stores a committed or built image (the layer file is consumed). */
  createImage(o: NewImage): Promise<ImageRecord>;
  /** Added: stops the worker threads (idle workers never keep the process alive anyway). */
  close(): Promise<void>;
}
export interface Snapshotter {
  readonly kind: 'overlay' | 'copy';      // reported in system info (and why, when copy)
  /** Why 'copy' was chosen (undefined for overlay). */
  readonly reason?: string;
  /** Creates (or re-mounts after an engine restart) the container's writable root; returns the rootfs path to put in the bundle. Idempotent. */
  prepare(containerId: string, image: ImageRecord): Promise<string>;
  /** Ensures it is mounted (after engine restart / host reboot). */
  mount(containerId: string): Promise<string>;
  unmount(containerId: string): Promise<void>;
  remove(containerId: string): Promise<void>;
  /** Paths of the container's upper dir (for checkpoint rootfs-diff) — undefined for 'copy'. */
  diffDir(containerId: string): string | undefined;
  /** Overlay only: drops every change the container made (empty upper dir), re-mounted; returns the rootfs. */
  reset(containerId: string): Promise<string>;
}

/**
 * The image service for an engine root (`<root>/images`). Short names resolve against
 * `defaultRegistry`, else the PIER_DEFAULT_REGISTRY environment variable; with neither,
 * pulling a short name fails with EBADREF naming the setting. Plain HTTP is used for
 * loopback registries and `insecureRegistries` (else PIER_INSECURE_REGISTRIES, comma
 * separated). Credentials: per-pull `auth`, else `authFile` (default: REGISTRY_AUTH_FILE,
 * else $DOCKER_CONFIG/config.json, else ~/.docker/config.json).
 */
export function createImageService(opts: ImageServiceOptions): ImageService {
  return new LocalImageService(opts);
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The image config as container defaults (what `docker run IMAGE` starts with). */
export function imageDefaults(img: ImageRecord): { entrypoint: string[]; cmd: string[]; env: string[]; workingDir: string; user: string; stopSignal?: string; labels: Record<string, string>; healthcheck?: HealthcheckConfig; volumes: string[] } {
  const c = img.config.config ?? {};
  const env = [...(c.Env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
  return {
    entrypoint: [...(c.Entrypoint ?? [])],
    cmd: [...(c.Cmd ?? [])],
    env,
    workingDir: c.WorkingDir || '/',
    user: c.User ?? '',
    ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
    labels: { ...(c.Labels ?? {}) },
    ...(c.Healthcheck?.Test?.length ? { healthcheck: fromDockerHealthcheck(c.Healthcheck) } : {}),
    volumes: Object.keys(c.Volumes ?? {}),
  };
}
