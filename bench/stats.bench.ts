// Stats sampling cost (issue 17), against `pier serve` run as its own process (isolated root):
// 1. `docker stats --no-stream` with 50 running busybox `sleep` containers: docker CLI → Pier's
//    socket vs `podman stats --no-stream` (isolated root, runc, cgroupfs) vs docker CLI →
//    `podman system service`. Wall time per call.
// 2. Engine CPU while 100 containers run for 60 s with one viewer: a WebSocket client of web
//    mode calling `stats.watch` for every container (what the containers list does). CPU is
//    utime+stime of the pier process from /proc (all its threads), as % of one core. Peer:
//    `podman stats` (streaming, 1 s interval) for its 100 containers — it is viewer and
//    sampler in one process.
// 3. The same 60 s with no viewer (target ≈ 0: the sampler has no timer without a watcher).
// Containers use --network none on both sides (network setup is not what is measured).
// Each 60-s case runs once (PIER_STATS_BENCH_RUNS to repeat): they are long and load the host.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { BenchCase } from './harness.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCKER = '/usr/local/bin/docker';
const IMG = 'pier-test/busybox';
const WINDOW_S = Number(process.env.PIER_STATS_BENCH_SECONDS ?? 60);
const RUNS = Number(process.env.PIER_STATS_BENCH_RUNS ?? 1);
const procs: ChildProcess[] = [];
let dir: string | undefined;
let podmanArgs: string[] = [];
let pierEnv: NodeJS.ProcessEnv | undefined;

function exec(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(String(stdout));
    });
  });
}

function waitOutput(proc: ChildProcess, re: RegExp, what: string): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 60_000);
    const on = (d: Buffer) => {
      out += d;
      const m = re.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1] ?? m[0]);
      }
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
    proc.once('exit', (c) => {
      clearTimeout(t);
      reject(new Error(`${what} exited (${c}):\n${out}`));
    });
  });
}

/** utime + stime of a process (all threads), in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15; CLK_TCK is 100 on Linux
}

/** % of one core the process used over the next `secs` seconds. */
async function cpuPercent(pid: number, secs: number): Promise<number> {
  const c0 = cpuSeconds(pid),
    t0 = performance.now();
  await new Promise((r) => setTimeout(r, secs * 1000));
  return ((cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000)) * 100;
}

/** Starts n busybox sleep containers, four at a time. */
async function startMany(n: number, from: number, run: (name: string) => Promise<unknown>): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < from + n) await run(`s${next++}`);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** A web-mode client watching every container's stats; resolves once the first batch arrives. */
async function viewer(url: string): Promise<{ points: () => number; close: () => void }> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/rpc`, { headers: { cookie: `pier_token=${u.searchParams.get('token')}` } });
  let points = 0;
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ t: 'call', id: 1, method: 'stats.watch', params: {} })));
    ws.on('message', (d, binary) => {
      if (binary) return;
      const m = JSON.parse(String(d)) as {
        t: string;
        kind?: string;
        error?: { message: string };
        payload?: { points?: unknown[] };
      };
      if (m.t === 'result' && m.error) reject(new Error(m.error.message));
      if (m.t === 'stream' && m.kind === 'stats') {
        points += m.payload?.points?.length ?? 0;
        resolve();
      }
    });
  });
  return { points: () => points, close: () => ws.close() };
}

export async function cases(): Promise<BenchCase[]> {
  if (!existsSync(DOCKER)) throw new Error(`${DOCKER} not installed`);
  const { buildTestImages } = await import('../scripts/build-test-images.ts');
  const archive = (await buildTestImages()).dockerArchive;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-stats-'));

  const sock = path.join(dir, 'pier.sock');
  const pier = spawn(
    process.execPath,
    [
      path.join(REPO, 'bin/pier.js'),
      'serve',
      '--root',
      path.join(dir, 'pier'),
      '--runroot',
      path.join(dir, 'pier-run'),
      '--socket',
      sock,
      '--web',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  procs.push(pier);
  const webUrl = await waitOutput(pier, /web UI at (\S+)/, 'pier serve');
  const env = (pierEnv = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(dir, 'dc') });
  await exec(DOCKER, ['load', '-i', archive], env);

  podmanArgs = [
    '--root',
    path.join(dir, 'podman'),
    '--runroot',
    path.join(dir, 'podman-run'),
    '--runtime',
    'runc',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
  ];
  execFileSync('podman', [...podmanArgs, 'load', '-i', archive], { stdio: 'ignore' });
  const podSock = path.join(dir, 'podman.sock');
  const svc = spawn('podman', [...podmanArgs, 'system', 'service', '--time=0', `unix://${podSock}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(svc);
  for (let i = 0; i < 200 && !existsSync(podSock); i++) await new Promise((r) => setTimeout(r, 50));
  const podEnv = { ...process.env, DOCKER_HOST: `unix://${podSock}`, DOCKER_CONFIG: path.join(dir, 'dc') };

  const runPier = (name: string) =>
    exec(DOCKER, ['run', '-d', '--network', 'none', '--name', name, IMG, 'sleep', '100000'], env);
  const runPodman = (name: string) =>
    exec('podman', [...podmanArgs, 'run', '-d', '--network', 'none', '--name', name, IMG, 'sleep', '100000']);
  await startMany(50, 0, runPier);
  await startMany(50, 0, runPodman);
  const rows = async (p: Promise<string>) => {
    const n = (await p).trim().split('\n').length - 1;
    if (n !== 50) throw new Error(`stats printed ${n} rows, not 50`);
  };

  let podStats: ChildProcess | undefined;
  return [
    {
      title: '`docker stats --no-stream`, 50 running containers',
      runs: 7,
      warmup: 1,
      contenders: [
        { name: 'Pier (docker CLI → pier serve)', run: () => rows(exec(DOCKER, ['stats', '--no-stream'], env)) },
        { name: 'podman stats --no-stream', run: () => rows(exec('podman', [...podmanArgs, 'stats', '--no-stream'])) },
        { name: 'docker CLI → podman service', run: () => rows(exec(DOCKER, ['stats', '--no-stream'], podEnv)) },
      ],
    },
    {
      title: `CPU while 100 containers run, one viewer of all their stats, ${WINDOW_S} s`,
      unit: '% of a core',
      target: 'Pier < 2 %',
      runs: RUNS,
      warmup: 0,
      contenders: [
        {
          name: 'Pier engine (web-mode client on stats.watch)',
          setup: async () => {
            await startMany(50, 50, runPier);
            await startMany(50, 50, runPodman);
          },
          run: async () => {
            const v = await viewer(webUrl);
            try {
              const pct = await cpuPercent(pier.pid!, WINDOW_S);
              console.log(`# viewer got ${v.points()} points (${(v.points() / WINDOW_S).toFixed(0)}/s)`);
              return pct;
            } finally {
              v.close();
            }
          },
        },
        {
          name: 'podman stats (streaming, 1 s)',
          run: async () => {
            podStats = spawn('podman', [...podmanArgs, 'stats', '--interval', '1', '--format', 'json'], {
              stdio: ['ignore', 'pipe', 'ignore'],
            });
            podStats.stdout!.resume();
            await waitOutput(podStats, /"id"/i, 'podman stats');
            try {
              return await cpuPercent(podStats.pid!, WINDOW_S);
            } finally {
              podStats.kill('SIGTERM');
            }
          },
        },
      ],
    },
    {
      title: `Pier engine CPU while 100 containers run and nobody watches, ${WINDOW_S} s`,
      unit: '% of a core',
      target: '≈ 0',
      runs: RUNS,
      warmup: 0,
      contenders: [
        {
          name: 'Pier engine (no viewer)',
          run: async () => {
            await new Promise((r) => setTimeout(r, 3000)); // the last viewer's stream closed
            return cpuPercent(pier.pid!, WINDOW_S);
          },
        },
      ],
    },
  ];
}

export async function cleanup(): Promise<void> {
  // Pier's containers outlive the engine (conmon supervises them): remove them first
  if (pierEnv && procs[0]?.exitCode === null) {
    const ids = (await exec(DOCKER, ['ps', '-aq'], pierEnv).catch(() => '')).split('\n').filter(Boolean);
    if (ids.length) await exec(DOCKER, ['rm', '-f', ...ids], pierEnv).catch((e) => console.error(String(e)));
  }
  for (const p of procs)
    if (p.exitCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => {
        p.once('exit', r);
        setTimeout(r, 10_000);
      });
    }
  if (dir) {
    try {
      execFileSync('podman', [...podmanArgs, 'rm', '-af', '-t', '0'], { stdio: 'ignore', timeout: 300_000 });
    } catch {
      /* nothing left */
    }
    // podman's storage bind-mounts its overlay directory on itself
    try {
      execFileSync('umount', ['-l', path.join(dir, 'podman', 'overlay')], { stdio: 'ignore' });
    } catch {
      /* not mounted */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
