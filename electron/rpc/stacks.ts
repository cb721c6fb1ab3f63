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

/** The named volumes labelled with the project (compose's `down -v`). */
async function removeProjectVolumes(engine: Engine, project: string): Promise<void> {
  const mine = engine.volumes.list().filter((v) => v.labels[COMPOSE_PROJECT] === project);
  await Promise.all(mine.map((v) => engine.volumes.remove(v.name)));
}
