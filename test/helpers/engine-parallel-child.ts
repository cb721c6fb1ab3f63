// A separate engine process for crash-in-the-middle tests: prints {"open":PID} once the engine is open, then
// creates and starts argv[5] containers (runtime argv[6], optional) (`sleep 300`) all at once, as `docker run` ×N would. It is killed
// while doing so; it never prints anything else.
import { openEngine } from '../../electron/engine/open';

const [root, runroot, rootfs, count, runtime] = process.argv.slice(2);
const engine = await openEngine({ root, runroot, runtime: runtime || undefined });
process.stdout.write(JSON.stringify({ open: process.pid }) + '\n');
await Promise.all(Array.from({ length: Number(count) }, async (_, i) => {
  const rec = await engine.containers.create({ rootfs, name: `par${i}`, cmd: ['sleep', '300'] });
  await engine.containers.start(rec.id);
}));
setInterval(() => undefined, 1 << 30);
