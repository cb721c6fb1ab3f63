// The checkpoint area's seam: CRIU checkpoints through the OCI runtime, restores through
// conmon, and podman-compatible export/import archives. Front ends use only this.
import type { Engine } from '../engine';
import type { ContainerSummary } from '../../common/types';
import type { CheckpointSummary } from '../../common/contract';
import { CheckpointServiceImpl, type CheckpointOptions, type RestoreOptions, type CheckpointRecord } from './service';
import type { CheckpointCapability } from './capability';
import type { Compression } from './archive';

export type { CheckpointOptions, RestoreOptions, CheckpointRecord } from './service';
export type { CheckpointCapability } from './capability';
export type { Compression } from './archive';
export { CheckpointError, type CheckpointErrorCode } from './errors';

export interface CheckpointService {
  /** What this host supports, with the reason and fix when it does not (for system info). */
  capability(): CheckpointCapability;
  /** Newest first; only one container's when given (id, prefix or name). */
  list(container?: string): Promise<Array<CheckpointSummary & { name: string }>>;
  get(id: string): Promise<CheckpointRecord>;
  /** A container's checkpoint by name (Docker's CheckpointID) or id. */
  byName(container: string, name: string): Promise<CheckpointRecord>;
  /** Checkpoints a running container; with `export`, also writes the archive (summary.archive). */
  create(container: string, opts?: CheckpointOptions): Promise<CheckpointSummary & { name: string }>;
  /** Writes (or reuses) the checkpoint's archive file; returns the record with `archive` set. */
  export(id: string, opts?: { compression?: Compression }): Promise<CheckpointRecord>;
  /**
   * In place when the container still exists (and no other name is asked), else as a new
   * container named opts.name. Docker style also accepted: restore(container, {name: checkpoint name}).
   */
  restore(id: string, opts?: RestoreOptions): Promise<ContainerSummary>;
  /** Restores from an archive (path or stream; Pier's or podman's); compression detected from content. */
  import(input: string | NodeJS.ReadableStream, opts?: RestoreOptions): Promise<ContainerSummary>;
  /** remove(id), or remove(container, name) for Docker-style named checkpoints. */
  remove(id: string, name?: string): Promise<void>;
  /** The directory holding a checkpoint in podman's export layout (config.dump, checkpoint/, …). */
  dataDir(id: string): string;
  diskUsage(): Promise<number>;
}

export function createCheckpointService(engine: Engine): CheckpointService {
  return new CheckpointServiceImpl(engine);
}
