// /containers/{id}/exec, /exec/{id}/start (hijacked, plain-streamed or detached),
// /exec/{id}/resize, /exec/{id}/json. An exec instance is created first and started
// later (Docker's two steps); the process is an engine exec session.
import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine';
import type { Session } from '../sessions/types';
import { type Ctx, type Hijack, type Route, json, readJson } from './context';
import { ApiError, notFound } from './errors';
import { ExecCreateSchema, ExecStartSchema, parse } from './validate';
import { engineExecs } from './container-inspect';
import { getContainer, sizeParams } from './container-ref';
import { frame, headRead, hijackBody, hijackHead, pipeSession, streamContentType } from './attach';
import { parseDetachKeys } from '../sessions/detach';
import { transition } from '../containers/states';

export interface ExecInstance {
  id: string;
  containerId: string;
  cmd: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  env?: string[];
  workingDir?: string;
  user?: string;
  detachKeys: string;
  size?: { rows: number; cols: number };
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  session?: Session;
  created: number;
}

const MAX_FINISHED = 1000;

function registry(ctx: Ctx): Map<string, ExecInstance> {
  if (!engineExecs.has(ctx.engine)) {
    engineExecs.set(ctx.engine, ctx.state.execs);
    // exec instances go with their container
    ctx.engine.events.subscribe((e) => {
      if (e.type === 'container' && e.action === 'removed') for (const [k, x] of ctx.state.execs) if (x.containerId === e.id) ctx.state.execs.delete(k);
    });
  }
  return ctx.state.execs;
}

function getExec(ctx: Ctx, id: string): ExecInstance {
  const x = registry(ctx).get(id);
  if (!x) throw notFound(`No such exec instance: ${id}`);
  return x;
}

function prune(execs: Map<string, ExecInstance>): void {
  if (execs.size <= MAX_FINISHED) return;
  for (const [k, x] of execs) { if (!x.running && x.started) execs.delete(k); if (execs.size <= MAX_FINISHED) break; }
}

/** Refuses (as an HTTP error, before any stream starts) an exec whose container cannot take it. */
function checkRunnable(engine: Engine, x: ExecInstance): void {
  const r = getContainer(engine, x.containerId);
  transition('exec', r.state, r.name);
}

async function startSession(engine: Engine, x: ExecInstance, attach: boolean): Promise<Session> {
  checkRunnable(engine, x);
  const r = getContainer(engine, x.containerId);
  x.started = true;
  x.running = true;
  let s: Session;
  try {
    s = await engine.sessions.exec(r.id, {
      cmd: x.cmd, tty: x.tty, stdin: attach && x.attachStdin, env: x.env, cwd: x.workingDir, user: x.user,
      rows: x.size?.rows, cols: x.size?.cols, attach,
    });
  } catch (e) {
    x.running = false;
    x.exitCode = (e as { code?: string }).code === 'ENOEXEC' ? 127 : 126;
    throw e;
  }
  x.session = s;
  x.pid = (s as unknown as { pid?: number }).pid ?? 0;
  s.watch(() => undefined, (code) => { x.running = false; x.exitCode = code ?? -1; }, { scrollback: false });
  return s;
}

export function execRoutes(): Route[] {
  return [
    { method: 'POST', path: /^\/containers\/([^/]+)\/exec$/, handler: async (ctx) => {
      const { engine, res, req } = ctx;
      const r = getContainer(engine, ctx.params[0]);
      const body = parse(ExecCreateSchema, await readJson(req, { required: true }), 'exec config');
      if (body.DetachKeys) parseDetachKeys(body.DetachKeys);
      transition('exec', r.state, r.name);
      const cs = body.ConsoleSize;
      const x: ExecInstance = {
        id: randomBytes(32).toString('hex'), containerId: r.id, cmd: body.Cmd, tty: !!body.Tty,
        attachStdin: !!body.AttachStdin, attachStdout: body.AttachStdout !== false, attachStderr: body.AttachStderr !== false,
        env: body.Env ?? undefined, workingDir: body.WorkingDir || undefined, user: body.User || undefined,
        detachKeys: body.DetachKeys || '', size: cs && cs[0] > 0 && cs[1] > 0 ? { rows: cs[0], cols: cs[1] } : undefined,
        running: false, started: false, exitCode: null, pid: 0, created: Date.now(),
      };
      const execs = registry(ctx);
      prune(execs);
      execs.set(x.id, x);
      json(res, 201, { Id: x.id });
    } },

    { method: 'POST', path: /^\/exec\/([^/]+)\/start$/, hijack: async (ctx: Ctx, hj: Hijack) => {
      const x = getExec(ctx, ctx.params[0]);
      const { body, rest } = await hijackBody(ctx, hj);
      const o = parse(ExecStartSchema, body ?? {}, 'exec start options');
      if (x.started) throw new ApiError(409, `exec ${x.id} has already been started`);
      const cs = o.ConsoleSize;
      if (cs && cs[0] > 0 && cs[1] > 0) x.size = { rows: cs[0], cols: cs[1] };
      if (o.Detach) {
        await startSession(ctx.engine, x, false);
        const sock = hj.socket;
        sock.end(hj.upgraded ? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      // the response head goes first and the process starts once the client has read it:
      // a fast process's output never rides in the head's packet (reference/docker-api.md §3.3)
      checkRunnable(ctx.engine, x);
      hijackHead(hj, streamContentType(ctx, x.tty));
      await headRead(hj.socket);
      let s: Session;
      try { s = await startSession(ctx.engine, x, true); } catch (e) {
        // as moby: the stream is set up, the runtime's reason goes to stderr, the exit code to inspect (126/127)
        x.started = true;
        x.running = false;
        if (x.exitCode === null) x.exitCode = 126;
        const msg = Buffer.from(`OCI runtime exec failed: ${(e as Error).message}\r\n`);
        hj.socket.end(x.tty ? msg : frame(2, msg));
        return;
      }
      await pipeSession(hj.socket, s, {
        tty: x.tty, stdout: x.attachStdout, stderr: x.attachStderr, stdin: x.attachStdin && hj.upgraded, stdinOnce: true,
        detachKeys: x.detachKeys || undefined, early: rest, upgraded: hj.upgraded, scrollback: true,
      });
    } },

    { method: 'POST', path: /^\/exec\/([^/]+)\/resize$/, handler: async (ctx) => {
      const x = getExec(ctx, ctx.params[0]);
      const { h, w } = sizeParams(ctx.query);
      if (!h || !w) { /* 0 changes nothing */ } else if (x.session && x.running) await x.session.resize(h, w);
      else if (!x.started) x.size = { rows: h, cols: w };
      else throw new ApiError(409, `exec ${x.id} is not running`);
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
      ctx.res.end();
    } },

    { method: 'GET', path: /^\/exec\/([^/]+)\/json$/, handler: (ctx) => {
      const x = getExec(ctx, ctx.params[0]);
      json(ctx.res, 200, {
        CanRemove: false, ContainerID: x.containerId, DetachKeys: x.detachKeys, ExitCode: x.running || !x.started ? null : x.exitCode,
        ID: x.id, OpenStderr: x.attachStderr, OpenStdin: x.attachStdin, OpenStdout: x.attachStdout,
        ProcessConfig: { arguments: x.cmd.slice(1), entrypoint: x.cmd[0], privileged: false, tty: x.tty, user: x.user ?? '' },
        Running: x.running, Pid: x.pid,
      });
    } },
  ];
}
