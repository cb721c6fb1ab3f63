// `pier` command line: serve (engine + API socket [+ web UI]), version, checkpoint, restore.
import { parseArgs } from 'node:util';
import { defaultPaths } from './engine/paths';
import { openEngine } from './engine/open';
import { reexecInNamespace, usernsState } from './engine/runtime/userns';

const USAGE = `usage:
  pier serve [--root DIR] [--runroot DIR] [--socket PATH] [--runtime NAME|PATH] [--web HOST:PORT]
  pier version
  pier checkpoint CONTAINER --export FILE [--leave-running] [--tcp-established] [--socket PATH]
  pier restore --import FILE [--name NAME] [--socket PATH]`;

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
      default:
        console.error(USAGE);
        process.exitCode = cmd ? 2 : 0;
    }
  } catch (e) {
    console.error(`pier ${cmd}: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

async function serve(argv: string[]): Promise<void> {
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
  const { startApiServer } = await import('./engine/api/server').catch(() => ({ startApiServer: undefined }));
  if (startApiServer) {
    const api = await startApiServer(engine, { socketPath: values.socket! });
    closers.push(() => api.close());
    console.log(`pier: Docker-compatible API on unix://${values.socket}`);
    if (api.access) console.log(`pier: ${api.access}`);
  }
  if (values.web) {
    const { startWebServer } = await import('./web/server');
    const web = await startWebServer(engine, { listen: values.web });
    closers.push(() => web.close());
    console.log(`pier: web UI at ${web.url}`);
  }
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
