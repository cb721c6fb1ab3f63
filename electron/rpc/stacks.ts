// Stack-wide operations for compose projects (containers labelled com.docker.compose.project).
import type { Engine } from '../engine/engine';
import { COMPOSE_PROJECT } from '../common/types';

/** Removes the project's containers (forced), then, when asked, the named volumes labelled with the project. */
export async function removeStack(engine: Engine, project: string, volumes: boolean): Promise<void> {
  const ids = engine.containers.list().filter((c) => c.labels[COMPOSE_PROJECT] === project).map((c) => c.id);
  if (!ids.length) throw Object.assign(new Error(`no container belongs to stack "${project}"`), { code: 'ENOENT' });
  await Promise.all(ids.map((id) => engine.containers.remove(id, { force: true })));
  if (volumes) await removeProjectVolumes(engine, project);
}

interface VolumeArea {
  list(): Promise<Array<{ name: string; labels?: Record<string, string> }>> | Array<{ name: string; labels?: Record<string, string> }>;
  remove(name: string, opts?: { force?: boolean }): Promise<unknown>;
}

async function removeProjectVolumes(engine: Engine, project: string): Promise<void> {
  const volumes = (engine as unknown as { volumes?: VolumeArea }).volumes;
  if (!volumes) throw Object.assign(new Error('this engine has no volumes'), { code: 'EINVAL' });
  const mine = (await volumes.list()).filter((v) => v.labels?.[COMPOSE_PROJECT] === project);
  await Promise.all(mine.map((v) => volumes.remove(v.name)));
}
