// A compose stack's logs, interleaved: the history of every container of the project merged by time, then every
// container followed from where its history ended (nothing lost or repeated between the two), each line tagged
// with its service (and replica number when the service has several).
import type { Engine } from '../engine/engine';
import type { LogLine } from '../common/types';
import { COMPOSE_NUMBER, COMPOSE_PROJECT, COMPOSE_SERVICE } from '../common/types';
import { toLogLine } from './logs';

export interface StackMember { id: string; source: string }

/** The project's containers with the label each line gets ("web", or "web-2" when web has replicas). */
export function stackMembers(engine: Engine, project: string): StackMember[] {
  const cs = engine.containers.list().filter((c) => c.labels[COMPOSE_PROJECT] === project);
  const perService = new Map<string, number>();
  for (const c of cs) perService.set(c.labels[COMPOSE_SERVICE] ?? c.name, (perService.get(c.labels[COMPOSE_SERVICE] ?? c.name) ?? 0) + 1);
  return cs.map((c) => {
    const svc = c.labels[COMPOSE_SERVICE] ?? c.name;
    const n = c.labels[COMPOSE_NUMBER];
    return { id: c.id, source: (perService.get(svc) ?? 0) > 1 && n ? `${svc}-${n}` : svc };
  });
}

/** Merges per-container histories (each already in time order) into one time-ordered list. */
export function mergeByTime(lists: LogLine[][]): LogLine[] {
  return lists.flat().map((l, i) => ({ l, i })).sort((a, b) => (a.l.time < b.l.time ? -1 : a.l.time > b.l.time ? 1 : a.i - b.i)).map((x) => x.l);
}

/** History then follow for one container; `skip` drops the lines of the last history second already sent. */
export async function* followMember(engine: Engine, m: StackMember, since: number, skip: number,
  signal: AbortSignal): AsyncGenerator<LogLine> {
  let n = 0;
  for await (const e of engine.containers.logs(m.id, { follow: true, since }, signal)) {
    if (n++ < skip) continue;
    yield { ...toLogLine(e), source: m.source };
  }
}

/** Reads each member's history; returns the merged lines and, per member, where following must resume. */
export async function stackHistory(engine: Engine, members: StackMember[], tail: number) {
  const resume = new Map<string, { since: number; skip: number }>();
  const readStart = Math.floor(Date.now() / 1000);
  const lists = await Promise.all(members.map(async (m) => {
    const out: LogLine[] = [];
    for await (const e of engine.containers.logs(m.id, { tail, follow: false })) out.push({ ...toLogLine(e), source: m.source });
    const last = out.at(-1);
    // follow resumes at the last line's second: the lines already sent within that second are skipped
    const since = last ? Math.floor(Date.parse(last.time) / 1000) : readStart;
    const skip = out.filter((l) => Math.floor(Date.parse(l.time) / 1000) === since).length;
    resume.set(m.id, { since, skip });
    return out;
  }));
  return { lines: mergeByTime(lists), resume };
}
