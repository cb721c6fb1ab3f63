// POST /images/create?fromImage=…&tag=…: a pull, streamed as Docker's progress JSON messages
// (one per line), with the client's X-Registry-Auth. Errors before the first message are plain
// HTTP errors (404 for an unknown repository); later ones end the stream with an error message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { imageEvent } from '../images/events';
import { clientShortName } from '../images/reference';
import type { ImageProgress } from '../images/index';
import { type Handler } from './context';
import { ApiError, badRequest, toApiError } from './errors';

type C = Parameters<Handler>[0];

const familiar = (t: string) => clientShortName(t);
const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

export async function pullImage({ engine, res, query, req }: C): Promise<void> {
  const svc = engine.images;
  req.resume();
  const { from, tag, ref } = pullRef(query);
  const auth = registryAuth(req);
  const had = await svc.inspect(ref).then(
    () => true,
    () => false,
  );
  const ac = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  const name = familiar(ref);
  const out = lazyStream(res, { status: `Pulling from ${familiar(from)}`, id: tag ?? 'latest' });
  try {
    const onProgress = (p: ImageProgress) => {
      const m = pullMessage(p);
      if (m) out.send(m);
    };
    const rec = await svc.pull(ref, { signal: ac.signal, auth, onProgress });
    imageEvent(engine.events, 'pulled', rec, name);
    const dg = rec.repoDigests[0]?.split('@')[1];
    if (dg) out.send({ status: `Digest: ${dg}` });
    out.send({
      status: had ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}`,
    });
    res.end();
  } catch (e) {
    if (!out.started()) throw e;
    const msg = toApiError(e).message;
    out.send({ errorDetail: { message: msg }, error: msg });
    res.end();
  }
}

/** A JSON message stream opened (with `first`) by its first message: errors before that stay HTTP errors. */
function lazyStream(res: ServerResponse, first: object): { send: (o: unknown) => void; started: () => boolean } {
  let stream: ReturnType<typeof jsonStream> | undefined;
  return {
    send: (o) => {
      if (!stream) {
        stream = jsonStream(res);
        stream.send(first);
      }
      stream.send(o);
    },
    started: () => !!stream,
  };
}

/** fromImage + tag (a tag or a digest) as one reference; fromSrc (import a root filesystem) is refused. */
function pullRef(query: URLSearchParams): { from: string; tag: string | null; ref: string } {
  if (query.get('fromSrc'))
    throw new ApiError(501, 'importing a root filesystem (fromSrc) is not supported; use docker load');
  const from = query.get('fromImage');
  if (!from) throw badRequest('fromImage is required');
  const tag = query.get('tag');
  const ref = tag ? (tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`) : from;
  return { from, tag, ref };
}

/** X-Registry-Auth (base64url JSON); empty or malformed means anonymous, as moby. */
function registryAuth(req: IncomingMessage): { username: string; password: string } | undefined {
  const xra = req.headers['x-registry-auth'];
  if (typeof xra !== 'string' || !xra) return undefined;
  try {
    const a = JSON.parse(Buffer.from(xra.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as {
      username?: string;
      password?: string;
    };
    if (a.username && a.password) return { username: a.username, password: a.password };
  } catch {
    /* anonymous */
  }
  return undefined;
}

/** Streams JSON messages, one per line (Docker's streamformatter uses \r\n). */
export function jsonStream(res: ServerResponse): { send: (o: unknown) => void; ok: () => boolean } {
  let ok = true;
  res.on('close', () => {
    ok = false;
  });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  return {
    send: (o) => {
      if (ok) res.write(JSON.stringify(o) + '\r\n');
    },
    ok: () => ok,
  };
}

function progressBar(cur: number, total: number): string {
  const w = 50,
    n = total ? Math.min(w, Math.floor((cur / total) * w)) : 0;
  const fmt = (b: number) =>
    b >= 1e6 ? `${(b / 1e6).toFixed(2)}MB` : b >= 1e3 ? `${(b / 1e3).toFixed(2)}kB` : `${b}B`;
  return `[${'='.repeat(Math.max(0, n - 1))}${n ? '>' : ''}${' '.repeat(w - n)}] ${fmt(cur)}/${fmt(total)}`;
}

/** ImageProgress → Docker's pull progress messages. */
function pullMessage(p: ImageProgress): Record<string, unknown> | undefined {
  if (!p.layer) return undefined;
  const id = short(p.layer);
  switch (p.status) {
    case 'exists':
      return { status: 'Already exists', progressDetail: {}, id };
    case 'downloading':
      if (!p.current) return { status: 'Pulling fs layer', progressDetail: {}, id };
      return {
        status: 'Downloading',
        progressDetail: { current: p.current, total: p.total },
        progress: progressBar(p.current, p.total ?? 0),
        id,
      };
    case 'verifying':
      return { status: 'Verifying Checksum', progressDetail: {}, id };
    case 'extracting':
      return { status: 'Extracting', progressDetail: {}, id };
    case 'done':
      return { status: 'Pull complete', progressDetail: {}, id };
    default:
      return { status: p.status, progressDetail: {}, id };
  }
}
