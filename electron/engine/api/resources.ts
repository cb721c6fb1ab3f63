// HostConfig resource fields ↔ Pier's Resources: parsed for create and update (400 naming
// the field on a wrong type), echoed by inspect with Docker's defaults.
import { z } from 'zod';
import type { Resources } from '../../common/types';
import { DEFAULT_SHM } from '../spec/resources';
import { parse } from './validate';

const n = z.number().int().nullish();
export const ResourceFieldsSchema = z.looseObject({
  Memory: n, MemorySwap: n, MemoryReservation: n, NanoCpus: n, CpuShares: n, CpuPeriod: n, CpuQuota: n,
  CpusetCpus: z.string().max(256).nullish(), CpusetMems: z.string().max(256).nullish(), PidsLimit: n, BlkioWeight: n,
  OomKillDisable: z.boolean().nullish(), ShmSize: n,
  Ulimits: z.array(z.object({ Name: z.string().max(32), Soft: z.number().int(), Hard: z.number().int() })).max(64).nullish(),
});

/** Resources from a create HostConfig or an update body; 0/null fields are left out (= unset/unchanged). */
export function toResources(body: unknown, what: string): Resources | undefined {
  const b = parse(ResourceFieldsSchema, body ?? {}, what);
  const r: Resources = {};
  const set = <K extends keyof Resources>(k: K, v: Resources[K] | null | undefined) => { if (v !== undefined && v !== null && v !== 0 && v !== '') r[k] = v; };
  set('memory', b.Memory); set('memorySwap', b.MemorySwap); set('memoryReservation', b.MemoryReservation);
  set('nanoCpus', b.NanoCpus); set('cpuShares', b.CpuShares); set('cpuPeriod', b.CpuPeriod); set('cpuQuota', b.CpuQuota);
  set('cpusetCpus', b.CpusetCpus); set('cpusetMems', b.CpusetMems); set('pidsLimit', b.PidsLimit); set('blkioWeight', b.BlkioWeight);
  if (b.OomKillDisable) r.oomKillDisable = true;
  set('shmSize', b.ShmSize);
  if (b.Ulimits?.length) r.ulimits = b.Ulimits.map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard }));
  return Object.keys(r).length ? r : undefined;
}

/** The HostConfig fields inspect shows (Docker's zero values when unset). */
export function resourcesHostConfig(r: Resources | undefined) {
  const x = r ?? {};
  return {
    Memory: x.memory ?? 0, MemorySwap: x.memorySwap ?? 0, MemoryReservation: x.memoryReservation ?? 0,
    NanoCpus: x.nanoCpus ?? 0, CpuShares: x.cpuShares ?? 0, CpuPeriod: x.cpuPeriod ?? 0, CpuQuota: x.cpuQuota ?? 0,
    CpusetCpus: x.cpusetCpus ?? '', CpusetMems: x.cpusetMems ?? '', PidsLimit: x.pidsLimit ?? null, BlkioWeight: x.blkioWeight ?? 0,
    OomKillDisable: x.oomKillDisable ?? false, ShmSize: x.shmSize ?? DEFAULT_SHM,
    Ulimits: (x.ulimits ?? []).map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
  };
}
