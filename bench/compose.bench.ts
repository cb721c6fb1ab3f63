// `docker-compose up -d` of a 3-service stack until every service is up and healthy, and `down -v`,
// side by side (Debian's docker-compose 1.29, images present on every side):
//   Pier     docker-compose → `pier serve` (isolated root)
//   (podman 4.3 runs healthchecks through systemd timers; with no systemd here they never run, so its
//   containers never turn healthy and `depends_on: service_healthy` never completes: no podman column)
//   dockerd  docker-compose → the reference dockerd 20.10 (test/helpers/dockerd.ts)
// The stack: web (httpd, a published port, a named volume, a healthcheck), cache (a healthcheck),
// worker (depends on web being healthy). Each run uses its own project name.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchCase, Contender } from './harness.ts';
import { DOCKER, run, startPier, type Peer } from './peers.ts';

const COMPOSE = '/usr/bin/docker-compose';
const IMG = 'pier-test/busybox:latest';
const peers: Peer[] = [];
let dockerd: { stop(): Promise<void> } | undefined;
let dir: string | undefined;

/** PID 1 ignores SIGTERM unless it handles it: each service runs under a shell that exits on TERM,
 *  so `down` measures the engine, not the 10 s stop timeout. */
const onTerm = (cmd: string) => `["sh", "-c", "trap 'exit 0' TERM; ${cmd} & wait"]`;

function stack(port: number): string {
  const health = (cmd: string) => `
    healthcheck:
      test: ["CMD-SHELL", "${cmd}"]
      interval: 200ms
      retries: 100`;
  return `version: "3.7"
services:
  web:
    image: ${IMG}
    command: ${onTerm('httpd -f -p 80 -h /www')}
    ports: ["${port}:80"]
    volumes: ["data:/www"]${health("grep -q ':0050 ' /proc/net/tcp6 /proc/net/tcp")}
  cache:
    image: ${IMG}
    command: ${onTerm('sleep 3600')}${health('true')}
  worker:
    image: ${IMG}
    command: ${onTerm('sleep 3600')}
    depends_on:
      web: { condition: service_healthy }
volumes:
  data: {}
`;
}

/** Up and healthy: three containers running, the two with healthchecks healthy. */
async function healthy(env: NodeJS.ProcessEnv, project: string): Promise<boolean> {
  const out = await run(DOCKER, ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Status}}'], env);
  const rows = out.split('\n').filter(Boolean);
  return rows.length === 3 && rows.every((r) => r.startsWith('Up')) && rows.filter((r) => r.includes('(healthy)')).length === 2;
}

function contender(name: string, env: NodeJS.ProcessEnv, file: string, timed: 'up' | 'down'): Contender {
  let n = 0;
  return {
    name,
    async run() {
      const project = `bench${++n}`;
      const compose = (args: string[]) => run(COMPOSE, ['-f', file, '-p', project, ...args], env);
      const t0 = performance.now();
      await compose(['up', '-d']);
      while (!(await healthy(env, project))) await new Promise((r) => setTimeout(r, 20));
      const t1 = performance.now();
      await compose(['down', '-v']);
      const t2 = performance.now();
      return timed === 'up' ? t1 - t0 : t2 - t1;
    },
  };
}

export async function cases(): Promise<BenchCase[]> {
  if (!existsSync(COMPOSE)) throw new Error(`${COMPOSE} not installed (Debian docker-compose)`);
  const { buildTestImages } = await import('../scripts/build-test-images.ts');
  const { startDockerd, dockerdSkipReason } = await import('../test/helpers/dockerd.ts');
  const { freePort } = await import('../test/helpers/registry.ts');
  const archive = (await buildTestImages()).dockerArchive;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-compose-'));
  const file = (side: string, port: number) => {
    const f = path.join(dir!, `${side}.yml`);
    writeFileSync(f, stack(port));
    return f;
  };
  const pier = await startPier(dir, archive);
  peers.push(pier);
  const sides: Array<[string, NodeJS.ProcessEnv, string]> = [['Pier (docker-compose → pier serve)', pier.env, file('pier', await freePort())]];
  const skip = dockerdSkipReason();
  if (!skip) {
    const ref = await startDockerd({ bridge: 'pierbench0', subnet: '172.31.249' });
    dockerd = ref;
    await run(DOCKER, ['load', '-i', archive], ref.env);
    sides.push(['docker-compose → dockerd 20.10', ref.env, file('dockerd', await freePort())]);
  } else throw new Error(`compose bench needs the reference dockerd: ${skip}`);
  const of = (timed: 'up' | 'down') => sides.map(([name, env, f]) => contender(name, env, f, timed));
  return [
    { title: '`docker-compose up -d` of 3 services until all healthy', target: '<= 0.7x dockerd', runs: 5, warmup: 1, contenders: of('up') },
    { title: '`docker-compose down -v` of the same stack', target: '<= 0.7x dockerd', runs: 5, warmup: 1, contenders: of('down') },
  ];
}

export async function cleanup(): Promise<void> {
  for (const p of peers) {
    const ids = (await run(DOCKER, ['ps', '-aq'], p.env).catch(() => '')).split('\n').filter(Boolean);
    if (ids.length) await run(DOCKER, ['rm', '-f', '-v', ...ids], p.env).catch(() => undefined);
    await p.stop();
  }
  await dockerd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
