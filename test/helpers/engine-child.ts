// A separate engine process for crash tests: creates the containers described in argv[4]
// (JSON array of {name, cmd, autoRemove?}), prints {"ready": [ids]} and then idles until killed.
import { openEngine } from '../../electron/engine/open';

const [root, runroot, rootfs, spec] = process.argv.slice(2);
const engine = await openEngine({ root, runroot });
const ids: string[] = [];
for (const c of JSON.parse(spec) as Array<{ name: string; cmd: string[]; autoRemove?: boolean }>) {
  const rec = await engine.containers.create({ rootfs, name: c.name, cmd: c.cmd, autoRemove: c.autoRemove });
  await engine.containers.start(rec.id);
  ids.push(rec.id);
}
process.stdout.write(JSON.stringify({ ready: ids }) + '\n');
setInterval(() => undefined, 1 << 30);
