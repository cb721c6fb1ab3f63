// The pty host process: runs node-pty for every host shell, outside the engine's process, so a native crash in a pty
// ends the shells but not the engine, its API socket or the window (VS Code's pattern). Started by pty-host-client.ts as an
// Electron utility process (messages through process.parentPort) or a Node child with an IPC channel (process.send).
// Imports nothing from the engine at run time.
import { createRequire } from 'node:module';
import type { FromHost, ToHost } from './pty-protocol';

interface Pty {
  pid: number;
  onData(cb: (d: string) => void): void;
  onExit(cb: (e: { exitCode: number; signal?: number }) => void): void;
  write(d: string): void;
  resize(c: number, r: number): void;
  kill(sig?: string): void;
  pause(): void;
  resume(): void;
}
interface ParentPort { on(ev: 'message', cb: (e: { data: ToHost }) => void): void; postMessage(m: FromHost): void }

const nodeRequire = createRequire(import.meta.url);
const pty = nodeRequire('@lydell/node-pty') as { spawn(file: string, args: string[], o: object): Pty };
const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send: (m: FromHost) => void = port ? (m) => port.postMessage(m) : (m) => { process.send!(m); };
const ptys = new Map<number, Pty>();

function handle(m: ToHost): void {
  if (m.t === 'spawn') {
    try {
      const p = pty.spawn(m.o.shell, m.o.args, { name: 'xterm-256color', cols: m.o.cols, rows: m.o.rows, cwd: m.o.cwd, env: m.o.env });
      ptys.set(m.id, p);
      p.onData((data) => send({ t: 'data', id: m.id, data }));
      p.onExit(({ exitCode, signal }) => { ptys.delete(m.id); send({ t: 'exit', id: m.id, code: exitCode, signal }); });
      send({ t: 'spawned', id: m.id, pid: p.pid });
    } catch (e) {
      send({ t: 'failed', id: m.id, message: (e as Error).message });
    }
    return;
  }
  const p = ptys.get(m.id);
  if (!p) return; // ended meanwhile
  switch (m.t) {
    case 'write': p.write(m.data); break;
    case 'resize': p.resize(m.cols, m.rows); break;
    case 'kill': p.kill(m.signal); break;
    case 'pause': p.pause(); break;
    case 'resume': p.resume(); break;
  }
}

if (port) port.on('message', (e) => handle(e.data));
else process.on('message', (m) => handle(m as ToHost));
// the engine went away (its end of the channel closed): the shells go with it, as they did in-process
if (!port) process.on('disconnect', () => { for (const p of ptys.values()) p.kill('SIGHUP'); process.exit(0); });
send({ t: 'ready', pid: process.pid });
