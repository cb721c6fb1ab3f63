// The classic builder: a Dockerfile (dockerfile-ast) run step by step over an unpacked, untrusted context.
// Every step makes an image whose parent is the previous step's (as Docker's classic builder): config-only
// steps add no layer; RUN runs in a container (conmon + runc, like any other) whose upper directory becomes
// the layer; COPY/ADD write into a snapshot of the parent. A step is reused from the cache when its parent,
// its instruction (with the build args it sees) and, for COPY/ADD, the content hash of its sources match.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import type { Engine } from '../engine';
import type { ImageRecord, NewImage } from '../images/index';
import type { WorkerPool } from '../images/workers';
import { writeDiffTar } from '../images/diff';
import { resolveUser } from '../containers/user';
import { applyConfigInstruction, argsText, envLookup, expand, isConfigInstruction, jsonForm, shellOf, DockerfileError, type ImageConfig } from './instructions';
import { copyInto, resolveIn, writeFileIn, mkdirIn, CopyError } from './copy';
import { globToRegExp, hasGlob, hashPaths } from './context';
import { BuildCache } from './cache';
import { CommandError, copyContents } from '../runtime/proc';

export interface BuildOptions {
  contextDir: string;
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  noCache?: boolean;
  pull?: boolean;
  rm?: boolean;
  forceRm?: boolean;
  network?: string;
  /** aborting stops the build before its next step; a running RUN is killed (its container removed) */
  signal?: AbortSignal;
}

export type BuildOutput = (line: string) => void;

const PREDEFINED_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const MAX_DOCKERFILE = 4 << 20;

interface Stage { name?: string; index: number; imageId?: string; config: ImageConfig; args: Record<string, string>; cmdSet: boolean }

export class BuildError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) { super(message); this.name = 'BuildError'; }
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class Builder {
  private readonly cache: BuildCache;
  private stages: Stage[] = [];
  private step = 0;
  private total = 0;
  constructor(private readonly engine: Engine, private readonly o: BuildOptions, private readonly out: BuildOutput) {
    this.cache = new BuildCache(path.join(engine.opts.root, 'build'));
  }

  private get images() { return this.engine.images; }

  async run(): Promise<ImageRecord> {
    // the image store initialises lazily and then clears its ingest directory: before any layer is written there
    await this.images.list();
    const text = await this.readDockerfile();
    const df = DockerfileParser.parse(text);
    const all = df.getInstructions();
    if (!all.length) throw new BuildError('the Dockerfile has no instructions');
    const firstFrom = all.findIndex((i) => i.getKeyword() === 'FROM');
    if (firstFrom < 0) throw new BuildError('the Dockerfile has no FROM instruction');
    for (const i of all.slice(0, firstFrom)) if (i.getKeyword() !== 'ARG') throw new BuildError(`${i.getKeyword()} before the first FROM: only ARG may come first`);
    const lines = text.split('\n');
    const show = (ins: Instruction) => {
      this.checkCancelled();
      const r = ins.getRange();
      const src = lines.slice(r.start.line, r.end.line + 1).join('\n').replace(/\\\n\s*/g, '').trim();
      this.out(`Step ${++this.step}/${this.total} : ${src}\n`);
    };
    const globals: Record<string, string> = {};
    // stages: [FROM, …]; stop after the target stage
    const stages: Instruction[][] = [];
    for (const i of all.slice(firstFrom)) { if (i.getKeyword() === 'FROM') stages.push([i]); else stages[stages.length - 1].push(i); }
    let last = stages.length - 1;
    if (this.o.target) {
      last = stages.findIndex((s) => (s[0] as unknown as { getBuildStage(): string | null }).getBuildStage() === this.o.target);
      if (last < 0) throw new BuildError(`failed to reach build target ${this.o.target} in Dockerfile`);
    }
    this.total = stages.slice(0, last + 1).reduce((n, s) => n + s.length, 0) + firstFrom;
    for (const a of all.slice(0, firstFrom)) { show(a); this.declareArg(globals, a, () => undefined); }
    let cur!: Stage;
    for (let k = 0; k <= last; k++) {
      for (const ins of stages[k]) {
        show(ins);
        if (ins.getKeyword() === 'FROM') { cur = await this.from(ins, k, globals); this.stages.push(cur); }
        else await this.instruction(cur, ins);
        this.out(` ---> ${cur.imageId ? short(cur.imageId) : 'scratch'}\n`);
      }
    }
    if (this.o.labels && Object.keys(this.o.labels).length) {
      cur.config.Labels = { ...(cur.config.Labels ?? {}), ...this.o.labels };
      await this.commitConfig(cur, `LABEL ${JSON.stringify(this.o.labels)}`);
    }
    if (!cur.imageId) throw new BuildError('the build produced no image (FROM scratch with no content)');
    const img = await this.images.inspect(cur.imageId);
    for (const t of this.o.tags ?? []) await this.images.tag(img.id, t);
    return this.images.inspect(img.id);
  }

  private checkCancelled(): void {
    if (this.o.signal?.aborted) throw new BuildError(`build cancelled at step ${this.step}/${this.total}`);
  }

  private async readDockerfile(): Promise<string> {
    const rel = this.o.dockerfile || 'Dockerfile';
    const p = await resolveIn(this.o.contextDir, rel);
    const st = p ? await fsp.stat(p) : undefined;
    if (!p || !st?.isFile()) throw new BuildError(`Cannot locate specified Dockerfile: ${rel}`);
    if (st.size > MAX_DOCKERFILE) throw new BuildError(`the Dockerfile ${rel} is larger than ${MAX_DOCKERFILE} bytes`);
    return fsp.readFile(p, 'utf8');
  }

  private declareArg(scope: Record<string, string>, ins: Instruction, vars: (n: string) => string | undefined): void {
    const props = (ins as unknown as { getProperty(): { getName(): string; getValue(): string | null } | null }).getProperty?.();
    const name = props?.getName();
    if (!name) throw new BuildError(`ARG needs a name`);
    const given = this.o.buildArgs?.[name];
    const dflt = props?.getValue();
    const v = given ?? (dflt != null ? expand(dflt, vars) : undefined);
    if (v !== undefined) scope[name] = v; else delete scope[name];
  }

  private async from(ins: Instruction, index: number, globals: Record<string, string>): Promise<Stage> {
    const f = ins as unknown as { getImage(): string | null; getBuildStage(): string | null; getPlatformFlag(): { getValue(): string | null } | null };
    const ref = expand(f.getImage() ?? '', (n) => globals[n]);
    const name = f.getBuildStage() ?? undefined;
    if (!ref) throw new BuildError('FROM needs an image');
    const prev = this.stages.find((s) => s.name === ref);
    let imageId: string | undefined, config: ImageConfig = {};
    if (prev) { imageId = prev.imageId; config = JSON.parse(JSON.stringify(prev.config)) as ImageConfig; }
    else if (ref !== 'scratch') {
      const img = await this.baseImage(ref);
      imageId = img.id;
      config = JSON.parse(JSON.stringify(img.config.config ?? {})) as ImageConfig;
    }
    const stage: Stage = { name, index, imageId, config, args: {}, cmdSet: false };
    const triggers = config.OnBuild ?? [];
    if (triggers.length) {
      this.out(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      config.OnBuild = [];
      for (const t of DockerfileParser.parse(triggers.join('\n')).getInstructions()) await this.instruction(stage, t);
    }
    return stage;
  }

  private async baseImage(ref: string): Promise<ImageRecord> {
    if (this.o.pull) {
      try { return await this.images.pull(ref); } catch (e) { this.out(`pull of ${ref} failed (${(e as Error).message}); using the local image\n`); }
    }
    try { return await this.images.inspect(ref); } catch { /* not local: pull */ }
    return this.images.pull(ref);
  }

  private vars(st: Stage): (n: string) => string | undefined { return envLookup(st.config, st.args); }

  private async instruction(st: Stage, ins: Instruction): Promise<void> {
    const kw = ins.getKeyword();
    if (kw === 'ARG') {
      this.declareArg(st.args, ins, this.vars(st));
      const name = (ins as unknown as { getProperty(): { getName(): string } | null }).getProperty()?.getName() ?? '';
      return this.commitConfig(st, `ARG ${argsText(ins)}`, `${name}=${st.args[name] ?? ''}`);
    }
    if (isConfigInstruction(kw)) {
      if (kw === 'CMD') st.cmdSet = true;
      const hadCmd = st.config.Cmd;
      applyConfigInstruction(st.config, ins, this.vars(st));
      if (kw === 'ENTRYPOINT' && !st.cmdSet && hadCmd) st.config.Cmd = null;
      if (kw === 'WORKDIR') await this.ensureWorkdir(st);
      return this.commitConfig(st, `${kw} ${argsText(ins)}`);
    }
    switch (kw) {
      case 'RUN': return this.runStep(st, ins);
      case 'COPY': case 'ADD': return this.copyStep(st, ins, kw);
      default: throw new DockerfileError(`unknown instruction: ${kw}`);
    }
  }

  /** A config-only step: a new image with no layer (cached on parent + instruction). */
  private async commitConfig(st: Stage, text: string, extra = ''): Promise<void> {
    const key = this.key(st, text, extra + JSON.stringify(st.config));
    if (await this.cached(st, key)) return;
    st.imageId = await this.newImage(st, { created_by: `/bin/sh -c #(nop)  ${text}`, empty_layer: true }, undefined, key);
  }

  private key(st: Stage, text: string, extra: string): string {
    return crypto.createHash('sha256').update(`${st.imageId ?? 'scratch'}\n${text}\n${extra}`).digest('hex');
  }

  private async cached(st: Stage, key: string): Promise<boolean> {
    if (this.o.noCache) return false;
    const id = await this.cache.get(key, (i) => this.images.inspect(i).then(() => true, () => false));
    if (!id) return false;
    st.imageId = id;
    this.out(' ---> Using cache\n');
    return true;
  }

  private async newImage(st: Stage, history: NewImage['history'], layer: NewImage['layer'], key: string): Promise<string> {
    const rec = await this.images.createImage({ parent: st.imageId, layer, config: st.config, history });
    await this.cache.set(key, rec.id);
    return rec.id;
  }

  /** The environment RUN sees: the image's Env plus the build args in scope (ENV wins). */
  private runEnv(st: Stage): string[] {
    const env = [...(st.config.Env ?? [])];
    const names = new Set(env.map((e) => e.split('=')[0]));
    for (const [k, v] of Object.entries(st.args)) if (!names.has(k)) env.push(`${k}=${v}`);
    for (const k of PREDEFINED_ARGS) if (this.o.buildArgs?.[k] !== undefined && !names.has(k) && !(k in st.args)) env.push(`${k}=${this.o.buildArgs[k]}`);
    return env;
  }

  private runArgv(st: Stage, ins: Instruction): string[] {
    const text = argsText(ins);
    const exec = jsonForm(text);
    if (exec) return exec;
    const here = /^<<(-?)["']?([A-Za-z0-9_]+)["']?\s*\n([\s\S]*?)\n\2\s*$/.exec(text);
    if (here) return [...shellOf(st.config), here[3]];
    return [...shellOf(st.config), text];
  }

  private async runStep(st: Stage, ins: Instruction): Promise<void> {
    if (!st.imageId) throw new BuildError('RUN needs a base image with a shell (this stage is FROM scratch with nothing in it)');
    const argv = this.runArgv(st, ins);
    const env = this.runEnv(st);
    const key = this.key(st, `RUN ${JSON.stringify(argv)}`, JSON.stringify(env) + (st.config.User ?? '') + (st.config.WorkingDir ?? ''));
    if (await this.cached(st, key)) return;
    const c = this.engine.containers;
    const rec = await c.create({
      image: st.imageId, entrypoint: [], cmd: argv, env, workingDir: st.config.WorkingDir || '/', user: st.config.User || undefined,
      network: this.network(), labels: { 'io.pier.build': 'step' }, healthcheck: { test: ['NONE'] },
    });
    this.out(` ---> Running in ${short(rec.id)}\n`);
    let ok = false;
    const kill = () => { void c.kill(rec.id, 'SIGKILL').catch(() => undefined); };
    this.o.signal?.addEventListener('abort', kill);
    try {
      this.checkCancelled();
      await c.start(rec.id);
      for await (const e of c.logs(rec.id, { stdout: true, stderr: true, follow: true })) this.out(e.line.toString() + '\n');
      const code = await c.wait(rec.id);
      this.checkCancelled();
      if (code !== 0) {
        throw new BuildError(`step ${this.step}/${this.total}: The command '${argv.join(' ')}' returned a non-zero code: ${code}`);
      }
      const layer = await this.diffLayer(rec.id, st.imageId);
      st.config.Cmd = st.config.Cmd ?? null;
      st.imageId = await this.newImage(st, { created_by: argv.join(' ') }, layer, key);
      ok = true;
    } finally {
      this.o.signal?.removeEventListener('abort', kill);
      if (ok ? this.o.rm !== false : this.o.forceRm || this.o.signal?.aborted) {
        await c.remove(rec.id, { force: true, volumes: true }).catch(() => undefined);
        this.out(`Removing intermediate container ${short(rec.id)}\n`);
      }
    }
  }

  private network(): string {
    const n = this.o.network;
    if (n === 'host' || n === 'none') return n;
    if (n && n !== 'default' && n !== 'bridge') return n;
    return this.engine.network ? 'bridge' : 'host';
  }

  /** The container's upper directory as a layer tar, without the runtime's empty mount points. */
  private async diffLayer(containerId: string, parent: string): Promise<{ file: string; diffId: string }> {
    const snap = this.engine.snapshotter;
    const upper = snap.diffDir(containerId);
    if (!upper) throw new BuildError(`RUN needs overlay snapshots (this engine uses ${snap.kind}: ${snap.reason ?? ''})`);
    const merged = await snap.mount(containerId);
    const lowers = (await this.images.layerStack(parent)).map((l) => l.dir).reverse();
    const bundle = path.join(this.engine.containers.paths(this.engine.containers.get(containerId)).bundle, 'config.json');
    const mounts = (JSON.parse(await fsp.readFile(bundle, 'utf8')) as { mounts: Array<{ destination: string }> }).mounts;
    for (const m of mounts) dropMountPoint(upper, lowers, m.destination);
    return this.layerFrom(upper, merged, lowers);
  }

  /** The image store's ingest directory (absent on an engine that has not pulled or loaded anything yet). */
  private async ingest(): Promise<string> {
    const dir = path.join(this.engine.opts.root, 'images', 'ingest');
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  private async layerFrom(upper: string, merged: string | undefined, lowers: string[]): Promise<{ file: string; diffId: string }> {
    const file = path.join(await this.ingest(), `build-${crypto.randomBytes(6).toString('hex')}.tar`);
    const d = await writeDiffTar(upper, merged, lowers, file);
    return { file, diffId: d.diffId };
  }

  /** Runs `fn` on a writable root of the stage's image (a snapshot, or a plain dir for scratch); returns the layer. */
  private async withRoot(st: Stage, fn: (root: string) => Promise<void>): Promise<{ file: string; diffId: string }> {
    const snap = this.engine.snapshotter;
    const id = `build-${crypto.randomBytes(8).toString('hex')}`;
    if (!st.imageId) {
      const dir = path.join(await this.ingest(), id);
      await fsp.mkdir(dir, { mode: 0o755 });
      try { await fn(dir); return await this.layerFrom(dir, undefined, []); } finally { await fsp.rm(dir, { recursive: true, force: true }); }
    }
    const merged = await snap.prepare(id, await this.images.inspect(st.imageId));
    try {
      const upper = snap.diffDir(id);
      if (!upper) throw new BuildError(`COPY needs overlay snapshots (this engine uses ${snap.kind})`);
      await fn(merged);
      const lowers = (await this.images.layerStack(st.imageId)).map((l) => l.dir).reverse();
      return await this.layerFrom(upper, merged, lowers);
    } finally { await snap.remove(id).catch(() => undefined); }
  }

  private async ensureWorkdir(st: Stage): Promise<void> {
    const wd = st.config.WorkingDir;
    if (!wd || wd === '/' || !st.imageId) return;
    const key = this.key(st, `WORKDIR-mkdir ${wd}`, '');
    if (!this.o.noCache) { const hit = await this.cache.get(key, (i) => this.images.inspect(i).then(() => true, () => false)); if (hit) { st.imageId = hit; return; } }
    const snapImg = await this.images.inspect(st.imageId);
    const exists = await this.probe(snapImg, wd);
    if (exists) return;
    const layer = await this.withRoot(st, async (root) => { await mkdirIn(root, wd); });
    st.imageId = await this.newImage(st, { created_by: `/bin/sh -c #(nop) WORKDIR ${wd}` }, layer, key);
  }

  private async probe(img: ImageRecord, p: string): Promise<boolean> {
    const stack = await this.images.layerStack(img.id);
    return stack.some((l) => fs.existsSync(path.join(l.dir, p)));
  }

  private async copyStep(st: Stage, ins: Instruction, kw: 'COPY' | 'ADD'): Promise<void> {
    const flags = new Map(((ins as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> }).getFlags?.() ?? []).map((f) => [f.getName(), f.getValue() ?? '']));
    for (const k of flags.keys()) if (!['from', 'chown', 'chmod', 'link'].includes(k)) throw new BuildError(`${kw}: unknown flag --${k}`);
    const vars = this.vars(st);
    const text = argsText(ins);
    const here = /^<<(-?)["']?([A-Za-z0-9_]+)["']?\s+(\S+)\s*\n([\s\S]*?)\n\2\s*$/.exec(text);
    const words = here ? [] : (jsonForm(text) ?? ins.getArguments().map((a) => a.getValue())).map((w) => expand(w, vars));
    if (!here && words.length < 2) throw new BuildError(`${kw} needs at least one source and a destination`);
    const destRaw = here ? expand(here[3], vars) : words[words.length - 1];
    const dest = destRaw.startsWith('/') ? destRaw : path.posix.join(st.config.WorkingDir || '/', destRaw) + (destRaw.endsWith('/') ? '/' : '');
    const chmod = flags.get('chmod');
    if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod)) throw new BuildError(`${kw} --chmod: "${chmod}" is not an octal mode`);
    let srcRoot = this.o.contextDir, fromLabel = 'build context', cleanup: (() => Promise<void>) | undefined;
    const from = flags.get('from');
    try {
      if (from) ({ root: srcRoot, label: fromLabel, cleanup } = await this.sourceRoot(from));
      const sources = here ? [] : await this.matchSources(kw, srcRoot, words.slice(0, -1), fromLabel, !from);
      const hash = here ? crypto.createHash('sha256').update(here[4]).digest('hex') : await hashPaths(srcRoot, sources.map((s) => path.relative(srcRoot, s)));
      const key = this.key(st, `${kw} ${JSON.stringify([...flags])} ${dest}`, `${from ? `from:${this.stageImage(from) ?? from}` : ''}:${hash}`);
      if (await this.cached(st, key)) return;
      const layer = await this.withRoot(st, async (root) => {
        const owner = flags.get('chown') ? resolveUser(root, expand(flags.get('chown')!, vars)) : { uid: 0, gid: 0 };
        const o = { uid: owner.uid, gid: owner.gid, mode: chmod ? parseInt(chmod, 8) : undefined };
        if (here) return writeFileIn(root, dest, here[4] + '\n', o);
        const plain: string[] = [];
        for (const s of sources) {
          if (kw === 'ADD' && !from && fs.statSync(s).isFile() && isArchive(s)) await this.addArchive(root, s, dest);
          else plain.push(s);
        }
        if (plain.length) await copyInto(root, plain, dest.endsWith('/') || sources.length > 1 ? dest.replace(/\/?$/, '/') : dest, o);
      });
      st.imageId = await this.newImage(st, { created_by: `/bin/sh -c #(nop) ${kw} ${here ? 'heredoc' : `${from ? `--from=${from} ` : ''}dir:${hash.slice(0, 16)}`} in ${dest} ` }, layer, key);
    } catch (e) {
      if (e instanceof CopyError) throw new BuildError(`${kw} failed: ${e.message}`);
      throw e;
    } finally { await cleanup?.(); }
  }

  private stageImage(from: string): string | undefined {
    const s = /^\d+$/.test(from) ? this.stages[Number(from)] : this.stages.find((x) => x.name === from);
    return s?.imageId;
  }

  /** COPY --from: a previous stage (name or index) or an image, mounted read-only for the copy. */
  private async sourceRoot(from: string): Promise<{ root: string; label: string; cleanup: () => Promise<void> }> {
    const known = /^\d+$/.test(from) ? this.stages[Number(from)] : this.stages.find((x) => x.name === from);
    const imageId = known ? known.imageId : (await this.baseImage(from)).id;
    if (!imageId) return { root: await fsp.mkdtemp(path.join(await this.ingest(), 'empty-')), label: `stage ${from}`, cleanup: async () => undefined };
    const snap = this.engine.snapshotter;
    const id = `build-from-${crypto.randomBytes(8).toString('hex')}`;
    const root = await snap.prepare(id, await this.images.inspect(imageId));
    return { root, label: known ? `stage ${from}` : `image ${from}`, cleanup: () => snap.remove(id).catch(() => undefined) };
  }

  /** Source paths (globs in the last component) resolved inside `root`; none may escape it. */
  private async matchSources(kw: string, root: string, srcs: string[], label: string, isContext: boolean): Promise<string[]> {
    const out: string[] = [];
    for (const raw of srcs) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
        throw new BuildError(`${kw} ${raw}: downloading URLs is not supported by Pier's builder (the build would depend on the network at an unpinned address); use RUN with wget or curl, or download it into the context`);
      }
      const rel = path.posix.normalize('/' + raw).slice(1);
      const base = path.posix.basename(rel);
      if (hasGlob(base)) {
        const dirRel = path.posix.dirname(rel);
        const dir = await resolveIn(root, dirRel === '.' ? '' : dirRel);
        const re = globToRegExp(base);
        const hits = dir && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => path.join(dir, n)) : [];
        if (!hits.length) throw new BuildError(`${kw} failed: no source files were specified (no file in the ${label} matches "${raw}")`);
        out.push(...hits);
        continue;
      }
      const p = rel ? await resolveIn(root, rel) : root;
      if (!p || !fs.existsSync(p)) {
        throw new BuildError(`${kw} failed: file not found in ${label}${isContext ? ' or excluded by .dockerignore' : ''}: stat ${raw}: file does not exist`);
      }
      out.push(p);
    }
    return out;
  }

  /** ADD of a local tar (plain or gzip): unpacked by the secure extractor, then copied in with its owners. */
  private async addArchive(root: string, file: string, dest: string): Promise<void> {
    const pool = (this.images as unknown as { pool: WorkerPool }).pool;
    const tmp = await fsp.mkdtemp(path.join(await this.ingest(), 'add-'));
    try {
      await pool.extract({ file, dest: tmp, label: `ADD ${path.basename(file)}`, whiteoutMode: 'list', maxUnpacked: Number(process.env.PIER_BUILD_CONTEXT_MAX ?? 4 * 2 ** 30) });
      const d = await mkdirIn(root, dest);
      await copyContents(tmp, d).catch((e) => {
        throw new BuildError(`ADD ${path.basename(file)}: ${e instanceof CommandError ? e.result.stderr.trim() : (e as Error).message}`);
      });
    } finally { await fsp.rm(tmp, { recursive: true, force: true }); }
  }
}

function isArchive(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(512);
    const n = fs.readSync(fd, b, 0, 512, 0);
    if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return true;
    return n >= 262 && b.toString('latin1', 257, 262) === 'ustar';
  } finally { fs.closeSync(fd); }
}

/** Removes an empty file or directory the runtime created for a mount point the image did not have. */
function dropMountPoint(upper: string, lowers: string[], dest: string): void {
  const rel = dest.replace(/^\/+/, '');
  if (!rel) return;
  if (lowers.some((l) => fs.existsSync(path.join(l, rel)))) return;
  const p = path.join(upper, rel);
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isFile() && st.size === 0) fs.rmSync(p);
  else if (st.isDirectory() && !fs.readdirSync(p).length) fs.rmdirSync(p);
  else return;
  // parents made only for this mount point
  let parent = path.dirname(rel);
  while (parent !== '.' && !lowers.some((l) => fs.existsSync(path.join(l, parent)))) {
    const pp = path.join(upper, parent);
    if (!fs.existsSync(pp) || fs.readdirSync(pp).length) break;
    fs.rmdirSync(pp);
    parent = path.dirname(parent);
  }
}
