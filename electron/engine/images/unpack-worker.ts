// Worker-thread entry: CPU- and I/O-heavy image work (hashing, decompression, layer
// extraction and application) runs here, never on the engine's main loop.
import { parentPort } from 'node:worker_threads';
import { extractLayer, materializeOpaque, applyLayer, fileDigest, loadNativeGuard, nativeGuardActive } from './extract';
import type { WorkerTask } from './workers';

async function run(task: WorkerTask): Promise<unknown> {
  switch (task.kind) {
    case 'extract': return extractLayer(task.task);
    case 'materialize': return materializeOpaque(task.dest, task.opaque, task.lowers, task.mode);
    case 'apply': for (const l of task.layers) applyLayer(task.target, l); return null;
    case 'digest': return fileDigest(task.file);
    case 'guard': await loadNativeGuard(); return nativeGuardActive();
  }
}

parentPort!.on('message', (msg: { id: number; task: WorkerTask }) => {
  run(msg.task).then(
    (result) => parentPort!.postMessage({ id: msg.id, result }),
    (err: Error & { code?: string }) => parentPort!.postMessage({ id: msg.id, error: { message: err.message, code: err.code, name: err.name } }),
  );
});
