// `pier` command line: serve (engine + API socket [+ web UI]), version, checkpoint, restore.
import { parseArgs } from 'node:util';
import { defaultPaths } from './engine/paths';
// Everything else is imported by the command that needs it: `container cleanup` runs once per container exit.

const USAGE = `usage:
  pier serve [--root DIR] [--runroot DIR] [--socket PATH] [--runtime NAME|PATH] [--web HOST:PORT]
  pier version
  pier checkpoint CONTAINER --export FILE [--leave-running] [--tcp-established] [--socket PATH]
  pier restore --import FILE [--name NAME] [--socket PATH]
  pier container cleanup [--root DIR] [--runroot DIR] --runtime PATH [--runtime-root DIR] ID
      (run by conmon when a container exits: records the exit, deletes runtime state, removes --rm containers)`;

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve': return await serve(rest);
      case 'version': console.log('pier 0.1.0'); return;
      case 'checkpoint': case 'restore': {
        const { checkpointCommand } = await import('./cli-checkpoint');
        process.exitCode = await checkpointCommand(cmd, rest);
        return;
      }
      case 'container':
        if (rest[0] === 'cleanup') { process.exitCode = await cleanup(rest.slice(1)); return; }
        console.error(USAGE);
        process.exitCode = 2;
        return;
      default:
        console.error(USAGE);
        process.exitCode = cmd ? 2 : 0;
    }
  } catch (e) {
    console.error(`pier ${cmd}: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

async function cleanup(argv: string[]): Promise<number> {
  const d = defaultPaths();
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    root: { type: 'string', default: d.root }, runroot: { type: 'string', default: d.runroot },
    runtime: { type: 'string' }, 'runtime-root': { type: 'string' },
  } });
  if (positionals.length !== 1 || !values.runtime) throw new Error('usage: pier container cleanup [--root DIR] [--runroot DIR] --runtime PATH [--runtime-root DIR] ID');
  const { cleanupContainer } = await import('./engine/containers/cleanup');
  const runtimeRoot = values['runtime-root'] ?? `${values.runroot}/${values.runtime.split('/').pop()}`;
  await cleanupContainer({ root: values.root!, runroot: values.runroot!, runtimePath: values.runtime, runtimeRoot }, positionals[0]);
  return 0;
}

async function serve(argv: string[]): Promise<void> {
  const { openEngine } = await import('./engine/open');
  const { reexecInNamespace, usernsState } = await import('./engine/runtime/userns');
  const d = defaultPaths();
  const { values } = parseArgs({ args: argv, options: {
    root: { type: 'string', default: d.root }, runroot: { type: 'string', default: d.runroot },
    socket: { type: 'string', default: d.socket }, runtime: { type: 'string' }, web: { type: 'string' },
    'log-size-max': { type: 'string' },
  } });
  if (process.getuid?.() !== 0 && !usernsState()) {
    // rootless: run again inside the user namespace (electron/engine/runtime/userns.ts)
    process.exitCode = await reexecInNamespace(values.runroot!, (l) => console.error(l));
    return;
  }
  const engine = await openEngine({ root: values.root!, runroot: values.runroot!, runtime: values.runtime, apiSocket: values.socket, logSizeMax: values['log-size-max'] ? Number(values['log-size-max']) : undefined });
  const closers: Array<() => Promise<void>> = [];
  // the API is not optional: a module that fails to load fails `pier serve` with its error
  const { startApiServer } = await import('./engine/api/server');
  const { rpcUpgrade } = await import('./rpc/ws');
  const rpc = rpcUpgrade(engine);
  const api = await startApiServer(engine, { socketPath: values.socket!, upgrade: rpc.handle });
  closers.push(async () => { rpc.close(); await api.close(); });
  console.log(`pier: Docker-compatible API on unix://${values.socket}`);
  if (api.access) console.log(`pier: ${api.access}`);
  if (values.web) {
    const { startWebServer } = await import('./web/server');
    const web = await startWebServer(engine, { listen: values.web });
    closers.push(() => web.close());
    console.log(`pier: web UI at ${web.url}`);
  }
  // the start-up probe of the image workers' path guard (shown in System; refusals name it too)
  void engine.pathGuard().then((g) => { if (!g.native) console.warn(`pier: native path guard unavailable in the image workers (${g.reason})${g.refusing ? ': untrusted archives are refused until allowed (system.pathGuard)' : ': the pure-JS guard is used'}`); });
  console.log(`pier: engine ready (root ${engine.opts.root}, runtime ${engine.info().runtime.name} ${engine.info().runtime.version}); containers keep running when it stops`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  for (const c of closers) await c().catch(() => undefined);
  await engine.close();
  console.log('pier: stopped; containers keep running');
  process.exit(0);
}
