// OCI distribution client: manifests (indexes, OCI and Docker schema2), blobs, and
// authentication (bearer tokens from WWW-Authenticate, basic auth from explicit
// credentials or the docker-style auth file). Plain HTTP only for loopback hosts and
// configured insecure registries. Blob bodies are streamed to a file; hashing and
// verification happen in the worker that extracts them (see extract.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ImageError, RegistryAuthError, RegistryError, DigestMismatchError } from './errors';
import { isInsecureHost, formatReference, type Reference } from './reference';
import { MT } from './schema';
import { sha256 } from './store';

export interface Credentials { username: string; password: string }
export interface RegistryOptions { insecureRegistries?: string[]; authFile?: string }

const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', ');
const MAX_MANIFEST = 4 << 20;

export function defaultAuthFile(): string {
  if (process.env.REGISTRY_AUTH_FILE) return process.env.REGISTRY_AUTH_FILE;
  const dir = process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** Credentials for `domain` from a docker-style config file (`auths`), if any. */
export function credentialsFromFile(file: string, domain: string): Credentials | undefined {
  let raw: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try { raw = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return undefined; }
  for (const [key, v] of Object.entries(raw.auths ?? {})) {
    const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    if (host !== domain) continue;
    if (v.username && v.password) return { username: v.username, password: v.password };
    if (v.auth) {
      const s = Buffer.from(v.auth, 'base64').toString();
      const i = s.indexOf(':');
      if (i > 0) return { username: s.slice(0, i), password: s.slice(i + 1) };
    }
  }
  return undefined;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic). */
export function parseWwwAuthenticate(h: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(h);
  if (!m) return { scheme: '', params: {} };
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]))) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

export interface FetchedManifest { bytes: Buffer; mediaType: string; digest: string }

export class RegistryClient {
  private tokens = new Map<string, string>(); // `${domain} ${scope}` → Authorization header value
  constructor(private readonly opts: RegistryOptions = {}) {}

  private base(domain: string): string {
    return `${isInsecureHost(domain, this.opts.insecureRegistries) ? 'http' : 'https'}://${domain}`;
  }

  private creds(domain: string, explicit?: Credentials): Credentials | undefined {
    return explicit ?? credentialsFromFile(this.opts.authFile ?? defaultAuthFile(), domain);
  }

  /** One authenticated GET; on 401 performs the challenge (bearer or basic) and retries once. */
  async get(ref: Reference, url: string, init: { accept?: string; signal?: AbortSignal; auth?: Credentials }): Promise<Response> {
    const scope = `repository:${ref.path}:pull`;
    const key = `${ref.domain} ${scope}`;
    const name = formatReference(ref);
    const doFetch = async (authz?: string) => {
      const headers: Record<string, string> = {};
      if (init.accept) headers.accept = init.accept;
      if (authz) headers.authorization = authz;
      try {
        return await fetch(url, { headers, signal: init.signal, redirect: 'follow' });
      } catch (e) {
        if (init.signal?.aborted) throw init.signal.reason ?? e;
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new RegistryError(`pulling ${name}: registry ${ref.domain} is unreachable (${cause?.code ?? cause?.message ?? (e as Error).message})`, { cause: e });
      }
    };
    let res = await doFetch(this.tokens.get(key));
    if (res.status !== 401) return res;
    const challenge = parseWwwAuthenticate(res.headers.get('www-authenticate') ?? '');
    await res.body?.cancel();
    const creds = this.creds(ref.domain, init.auth);
    let authz: string;
    if (challenge.scheme === 'bearer') {
      authz = `Bearer ${await this.token(ref, challenge.params, scope, creds, init.signal)}`;
    } else if (challenge.scheme === 'basic') {
      if (!creds) throw new RegistryAuthError(`pulling ${name}: registry ${ref.domain} requires authentication: pass credentials or add them to ${this.opts.authFile ?? defaultAuthFile()}`);
      authz = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    } else {
      throw new RegistryAuthError(`pulling ${name}: registry ${ref.domain} answered 401 with an unsupported challenge "${challenge.scheme}"`);
    }
    res = await doFetch(authz);
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryAuthError(`pulling ${name}: access denied by ${ref.domain} (${res.status})${creds ? ` for user "${creds.username}"` : ': credentials required'}`);
    }
    this.tokens.set(key, authz);
    return res;
  }

  private async token(ref: Reference, p: Record<string, string>, scope: string, creds: Credentials | undefined, signal?: AbortSignal): Promise<string> {
    if (!p.realm || !/^https?:\/\//.test(p.realm)) throw new RegistryAuthError(`pulling ${formatReference(ref)}: registry ${ref.domain} sent a bearer challenge without a usable realm`);
    const u = new URL(p.realm);
    if (p.service) u.searchParams.set('service', p.service);
    u.searchParams.set('scope', p.scope ?? scope);
    const headers: Record<string, string> = {};
    if (creds) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    let res: Response;
    try { res = await fetch(u, { headers, signal }); } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      throw new RegistryError(`pulling ${formatReference(ref)}: token service ${u.host} is unreachable (${(e as Error).message})`, { cause: e });
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryAuthError(`pulling ${formatReference(ref)}: token service ${u.host} refused ${creds ? `user "${creds.username}"` : 'anonymous access'} (${res.status})`);
    }
    if (!res.ok) throw new RegistryError(`pulling ${formatReference(ref)}: token service ${u.host} answered ${res.status}`);
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const t = body.token ?? body.access_token;
    if (!t) throw new RegistryAuthError(`pulling ${formatReference(ref)}: token service ${u.host} returned no token`);
    return t;
  }

  private async fail(ref: Reference, what: string, res: Response): Promise<never> {
    let detail = '';
    try {
      const j = (await res.json()) as { errors?: Array<{ code?: string; message?: string }> };
      detail = j.errors?.map((e) => e.message ?? e.code).join('; ') ?? '';
    } catch { /* not JSON */ }
    const name = formatReference(ref);
    const why = detail ? ` (${detail})` : '';
    if (res.status === 404) throw new ImageError('ENOIMAGE', `pulling ${name}: ${what} not found in registry ${ref.domain}${why}`);
    if (res.status === 401 || res.status === 403) throw new RegistryAuthError(`pulling ${name}: access to ${what} denied by ${ref.domain} (${res.status})${why}`);
    throw new RegistryError(`pulling ${name}: registry ${ref.domain} answered ${res.status} for ${what}${why}`);
  }

  /** Fetches a manifest or index by tag or digest; verifies it when fetched by digest. */
  async manifest(ref: Reference, reference: string, opts: { signal?: AbortSignal; auth?: Credentials }): Promise<FetchedManifest> {
    const url = `${this.base(ref.domain)}/v2/${ref.path}/manifests/${reference}`;
    const res = await this.get(ref, url, { accept: MANIFEST_ACCEPT, ...opts });
    if (!res.ok) await this.fail(ref, `manifest ${reference}`, res);
    const bytes = await readLimited(res, MAX_MANIFEST, () => new RegistryError(`pulling ${formatReference(ref)}: manifest larger than ${MAX_MANIFEST} bytes`));
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) throw new DigestMismatchError(`manifest of ${formatReference(ref)}`, reference, digest);
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    try {
      const j = JSON.parse(bytes.toString()) as { mediaType?: string; manifests?: unknown };
      if (j.mediaType) mediaType = j.mediaType;
      else if (!mediaType || mediaType === 'application/json') mediaType = j.manifests ? MT.ociIndex : MT.ociManifest;
    } catch { /* reported by the schema check */ }
    return { bytes, mediaType, digest };
  }

  /** Small blob (config) into memory, verified. */
  async blobBytes(ref: Reference, digest: string, max: number, opts: { signal?: AbortSignal; auth?: Credentials }): Promise<Buffer> {
    const res = await this.get(ref, `${this.base(ref.domain)}/v2/${ref.path}/blobs/${digest}`, opts);
    if (!res.ok) await this.fail(ref, `blob ${digest}`, res);
    const bytes = await readLimited(res, max, () => new RegistryError(`pulling ${formatReference(ref)}: blob ${digest} larger than ${max} bytes`));
    const actual = sha256(bytes);
    if (actual !== digest) throw new DigestMismatchError(`blob ${digest} of ${formatReference(ref)}`, digest, actual);
    return bytes;
  }

  /** Streams a blob to `file`, reporting progress; refuses more than `size` bytes. Verification is the caller's. */
  async blobToFile(ref: Reference, digest: string, size: number, file: string,
    opts: { signal?: AbortSignal; auth?: Credentials; onData?: (current: number) => void }): Promise<void> {
    const res = await this.get(ref, `${this.base(ref.domain)}/v2/${ref.path}/blobs/${digest}`, opts);
    if (!res.ok) await this.fail(ref, `blob ${digest}`, res);
    if (!res.body) throw new RegistryError(`pulling ${formatReference(ref)}: empty body for blob ${digest}`);
    const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    let n = 0;
    try {
      for await (const chunk of Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)) {
        const b = chunk as Buffer;
        n += b.length;
        if (n > size) throw new DigestMismatchError(`blob ${digest} of ${formatReference(ref)}`, `${size} bytes`, `more than ${size} bytes`);
        if (!out.write(b)) await new Promise<void>((r) => out.once('drain', r));
        opts.onData?.(n);
      }
      if (n !== size) throw new DigestMismatchError(`blob ${digest} of ${formatReference(ref)}`, `${size} bytes`, `${n} bytes (truncated)`);
    } catch (e) {
      out.destroy();
      await fs.promises.rm(file, { force: true });
      if (opts.signal?.aborted) throw opts.signal.reason ?? e;
      if (e instanceof ImageError) throw e;
      throw new RegistryError(`pulling ${formatReference(ref)}: download of blob ${digest} failed (${(e as Error).message})`, { cause: e });
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

async function readLimited(res: Response, max: number, tooBig: () => Error): Promise<Buffer> {
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > max) { await res.body?.cancel(); throw tooBig(); }
  const parts: Buffer[] = [];
  let n = 0;
  if (res.body) {
    for await (const chunk of Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)) {
      n += (chunk as Buffer).length;
      if (n > max) throw tooBig();
      parts.push(chunk as Buffer);
    }
  }
  return Buffer.concat(parts);
}
