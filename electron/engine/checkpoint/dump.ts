// Taking a dump of a running container, under its lock, in this order:
//   1. config.dump + spec.dump (podman's export layout) from the container's bundle
//   2. leave-running: the cgroup frozen *before* `runc checkpoint` (CRIU leaves it frozen)
//   3. `runc checkpoint` (CRIU writes the memory images)
//   4. while still frozen (or after the dump ended the process): the checks that the files
//      can be kept consistent, rootfs-diff.tar + deleted.files, network.status, ctr.log
//   5. thaw
// The rootfs diff is taken before the thaw, so the files match the memory image
// (docs/checkpoint.md, "Consistency: files captured at the moment of the dump").
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine';
import type { ContainerRecord } from '../store/types';
import type { OciSpec } from '../spec/spec';
import { CheckpointError, meaningfulCriuLines, oneLine } from './errors';
import { EMPTY_TAR, writeArchive } from './archive';
import { makeConfigDump } from './podman';
import { freeze, type Frozen } from './freezer';
import { unkeptWritableFiles } from './openfiles';
import { transition } from '../containers/states';

/** The dump's flags, as the checkpoint record keeps them. */
export type DumpFlags = { leaveRunning: boolean; tcpEstablished: boolean; fileLocks: boolean; preDump: boolean };

/** A dump in progress. */
export interface Dump {
  rec: ContainerRecord;
  /** the checkpoint's data dir (podman's export layout) */
  data: string;
  /** CRIU's image dir: data/checkpoint, or data/pre-checkpoint for a pre-dump */
  images: string;
  flags: DumpFlags;
  /** a parent pre-dump's images are in data/pre-checkpoint */
  withParent: boolean;
  /** set (before the dump) when the dump ends the container: its next exit */
  stopped?: Promise<number>;
}

/** Dumps `d.rec` under its lock (steps 1–5 above); `step` reports progress. */
export async function dumpContainer(engine: Engine, d: Dump, step: (status: string) => void): Promise<void> {
  const c = engine.containers;
  const { rec } = d;
  await c.lock(rec.id, async () => {
    transition('checkpoint', rec.state, rec.name);
    await writeDumpConfig(engine, d);
    if (!d.flags.leaveRunning) {
      // the dump ends the process: not an unexpected exit (no restart policy applies). Saved: the exit is
      // recorded under a later lock, which takes the record from disk first
      rec.state.stoppedByUser = true;
      await c.d.store.save(rec);
      d.stopped = c.wait(rec.id, 'next-exit');
    }
    // A leave-running container stays frozen from before the dump until its files are
    // copied (see consistentFiles); without leave-running CRIU kills it after the dump.
    const frozen = d.flags.leaveRunning ? await freeze(engine.runtime, rec.id) : undefined;
    try {
      await runDump(engine, d);
      if (!d.flags.preDump) {
        step('saving root filesystem changes');
        await consistentFiles(engine, rec, d.data, frozen);
      }
    } finally {
      await frozen?.thaw();
    }
  });
}

/** config.dump, spec.dump and an empty dump.log; an image container's root gets podman's mode. */
async function writeDumpConfig(engine: Engine, d: Dump): Promise<void> {
  const { rec, data } = d;
  const paths = engine.containers.paths(rec);
  const spec = JSON.parse(await fsp.readFile(path.join(paths.bundle, 'config.json'), 'utf8')) as OciSpec;
  const dump = makeConfigDump(rec, spec, d.flags, paths.logPath);
  await Promise.all([
    fsp.writeFile(path.join(data, 'config.dump'), JSON.stringify(dump, null, 2), { mode: 0o600 }),
    fsp.writeFile(path.join(data, 'spec.dump'), JSON.stringify(spec, null, 2), { mode: 0o600 }),
    fsp.writeFile(path.join(data, 'dump.log'), ''),
  ]);
  // podman (containers/storage) gives an image container's root the mode of the image's
  // root, 0555 when the layers carry no root entry; Pier's snapshots make it 0755. CRIU
  // checks the root's mode on restore, so dump with podman's to be restorable there.
  if (rec.config.imageId && spec.root?.path) {
    const st = await fsp.stat(spec.root.path).catch(() => undefined);
    if (st && (st.mode & 0o7777) === 0o755) await fsp.chmod(spec.root.path, 0o555).catch(() => undefined);
  }
}

/** `runc checkpoint`; a failure explained by the runtime's messages and CRIU's dump.log. */
async function runDump(engine: Engine, d: Dump): Promise<void> {
  const rt = engine.runtime;
  const r = await rt.checkpoint(d.rec.id, {
    imagePath: d.images,
    workPath: d.data,
    leaveRunning: d.flags.leaveRunning,
    preDump: d.flags.preDump,
    tcpEstablished: d.flags.tcpEstablished,
    fileLocks: d.flags.fileLocks,
    parentPath: d.withParent ? '../pre-checkpoint' : undefined,
  });
  if (r.code !== 0) throw await dumpError(d.rec.name, rt.info.runtime.name, r, d.data);
}

/**
 * Copies what the checkpoint keeps of the container's files (rootfs diff, log) at the
 * moment of the dump: the container is either frozen since before the dump or dead.
 * Caller holds the container's lock, so no exit handling (auto-remove) runs meanwhile.
 */
async function consistentFiles(engine: Engine, rec: ContainerRecord, data: string, frozen?: Frozen): Promise<void> {
  if (frozen) await checkStillConsistent(engine, rec, frozen);
  await writeRootfsDiff(engine, rec, data);
  await fsp.writeFile(path.join(data, 'network.status'), 'null', { mode: 0o600 });
  // After a dump that ended the process, conmon drains its output into the log before it
  // writes the exit file. (A frozen container's last lines may still be in the pipe.)
  if (!frozen) await engine.containers.d.exits.wait(rec.id, 10_000);
  await fsp.copyFile(engine.containers.paths(rec).logPath, path.join(data, 'ctr.log')).catch(() => undefined);
}

/** A leave-running dump is consistent only if the container stayed frozen and writes no host file. */
async function checkStillConsistent(engine: Engine, rec: ContainerRecord, frozen: Frozen): Promise<void> {
  if (!(await frozen.frozen())) {
    throw new CheckpointError(
      `checkpoint of container ${rec.name} cannot be made consistent: the container was thawed during the dump, so its files may have changed after its memory was saved`,
      'EINCONSISTENT',
    );
  }
  const files = await unkeptWritableFiles(
    await frozen.pids(),
    !!(rec.config.imageId && engine.snapshotter?.diffDir(rec.id)),
  );
  if (files.length)
    throw new CheckpointError(
      `checkpoint of container ${rec.name} cannot be made consistent with leave-running: it holds ${files.join(', ')} open for writing in a host directory (${rec.config.rootfs ? 'its root directory or ' : ''}a bind mount), which a checkpoint does not keep and which it would change after the dump; checkpoint it without leave-running`,
      'EINCONSISTENT',
    );
}

/** rootfs-diff.tar + deleted.files from the snapshot's upper dir (overlay whiteouts = deleted). */
async function writeRootfsDiff(engine: Engine, rec: ContainerRecord, data: string): Promise<void> {
  const upper = rec.config.imageId ? engine.snapshotter?.diffDir(rec.id) : undefined;
  if (!upper) {
    await fsp.writeFile(path.join(data, 'rootfs-diff.tar'), EMPTY_TAR);
    return;
  }
  const deleted: string[] = [];
  const exclude = (rel: string) => {
    try {
      const st = fs.lstatSync(path.join(upper, rel));
      if (st.isCharacterDevice() && st.rdev === 0) {
        deleted.push('/' + rel);
        return true;
      }
      return !(st.isFile() || st.isDirectory() || st.isSymbolicLink());
    } catch {
      return true;
    }
  };
  await writeArchive(upper, path.join(data, 'rootfs-diff.tar'), 'none', exclude);
  if (deleted.length) await fsp.writeFile(path.join(data, 'deleted.files'), JSON.stringify(deleted), { mode: 0o600 });
}

/** The error of a failed `runc checkpoint`: the runtime's messages and CRIU's dump.log lines. */
async function dumpError(
  name: string,
  runtimeName: string,
  r: { code: number | null; stderr: string },
  data: string,
): Promise<CheckpointError> {
  const log = await fsp.readFile(path.join(data, 'dump.log'), 'utf8').catch(() => '');
  const lines = meaningfulCriuLines(log);
  const msgs = [...r.stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) =>
    m[1].replace(/\\n/g, ' ').replace(/\\"/g, '"'),
  );
  const rtMsg = (msgs.length ? msgs.join('; ') : (r.stderr.trim().split('\n').pop() ?? '')).trim();
  return new CheckpointError(
    `checkpoint of container ${name} failed: ${oneLine(rtMsg) || `${runtimeName} exit ${r.code}`}${lines.length ? `; CRIU dump.log: ${lines.join(' | ')}` : ''}`,
    'ECRIU',
  );
}
