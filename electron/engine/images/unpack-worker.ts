// Worker-thread entry: CPU- and I/O-heavy image work (hashing, decompression, layer
// extraction and application) runs here, never on the engine's main loop.
import { parentPort } from 'node:worker_threads';
import { extractLayer, materializeOpaque, applyLayer, fileDigest } from './extract';
import { loadNativeGuard, nativeGuardReason, setPathGuardPolicy, type PathGuardPolicy } from '../path-guard';
import type { WorkerTask } from './workers';

async function run(task: WorkerTask): Promise<unknown> {
  switch (task.kind) {
    case 'extract': return extractLayer(task.task);
    case 'materialize': return materializeOpaque(task.dest, task.opaque, task.lowers, task.mode);
    case 'apply': for (const l of task.layers) applyLayer(task.target, l); return null;
    case 'digest': return fileDigest(task.file);
    case 'guard': { const native = !!(await loadNativeGuard()); return native ? { native } : { native, reason: nativeGuardReason() }; }
  }
}

parentPort!.on('message', (msg: { id: number; task: WorkerTask; policy: PathGuardPolicy }) => {
  setPathGuardPolicy(msg.policy);
  run(msg.task).then(
    (result) => parentPort!.postMessage({ id: msg.id, result }),
    (err: Error & { code?: string }) => parentPort!.postMessage({ id: msg.id, error: { message: err.message, code: err.code, name: err.name } }),
  );
});
