// The request sequence of the conformance test, run identically against dockerd and Pier. Each scenario
// returns what a client would read, normalised so that values that legitimately vary between servers and runs
// (IDs, times, PIDs, sizes) compare by shape, not by value.
import { docker, type RawResponse } from './helpers';

export type Observations = Record<string, unknown>;
type Request = (socket: string, method: string, p: string, body?: string) => Promise<RawResponse>;
interface Target { socket: string; env: NodeJS.ProcessEnv }

const V = '/v1.41';
const IMAGE = 'pier-test/busybox:latest';
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** IDs, times and PIDs become their shape. */
export function norm(v: unknown): unknown {
  if (typeof v === 'string') {
    if (v === ZERO_TIME) return '<zero-time>';
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v)) return '<time>';
    return v.replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>').replace(/\b[0-9a-f]{64}\b/g, '<id>');
  }
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

function json(r: RawResponse): Record<string, any> {
  try { return JSON.parse(r.body); } catch { return { '<body>': r.body }; }
}

/** Status and message of an error answer. */
function errorOf(r: RawResponse): { status: number; message: unknown } {
  return { status: r.status, message: norm(json(r).message) };
}

/** Demultiplexes Docker's 8-byte framed stream into [stream, text] pairs. */
function frames(body: string): [number, string][] {
  const b = Buffer.from(body, 'latin1');
  const out: [number, string][] = [];
  for (let o = 0; o + 8 <= b.length;) {
    const n = b.readUInt32BE(o + 4);
    out.push([b[o], b.subarray(o + 8, o + 8 + n).toString()]);
    o += 8 + n;
  }
  return out;
}

function pick(o: Record<string, any> | undefined, paths: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of paths) out[p] = norm(p.split('.').reduce<any>((x, k) => (x == null ? undefined : x[k]), o));
  return out;
}

const CONTAINER_FIELDS = [
  'Name', 'Path', 'Args', 'RestartCount', 'Platform', 'State.Status', 'State.Running', 'State.Paused',
  'State.Restarting', 'State.OOMKilled', 'State.Dead', 'State.ExitCode', 'State.Error', 'State.StartedAt',
  'State.FinishedAt', 'Config.Image', 'Config.Cmd', 'Config.Entrypoint', 'Config.Labels', 'Config.Tty',
  'Config.OpenStdin', 'Config.AttachStdout', 'Config.WorkingDir', 'Config.User', 'Config.Hostname.length',
  'HostConfig.NetworkMode', 'HostConfig.AutoRemove', 'HostConfig.RestartPolicy', 'HostConfig.PortBindings',
  'HostConfig.Binds', 'HostConfig.Privileged', 'HostConfig.ReadonlyRootfs', 'Mounts',
];

async function inspect(req: Request, t: Target, name: string): Promise<Record<string, unknown>> {
  const r = await req(t.socket, 'GET', `${V}/containers/${name}/json`);
  const body = json(r);
  const picked = pick(body, CONTAINER_FIELDS);
  picked['State.Pid>0'] = body.State?.Pid > 0;
  picked['Config.Env has FOO'] = (body.Config?.Env ?? []).includes('FOO=bar');
  picked['Config.Env has PATH'] = (body.Config?.Env ?? []).some((e: string) => e.startsWith('PATH='));
  return { status: r.status, ...picked };
}

async function images(req: Request, t: Target): Promise<Observations> {
  const r = await req(t.socket, 'GET', `${V}/images/${IMAGE}/json`);
  const img = json(r);
  const list = json(await req(t.socket, 'GET', `${V}/images/json`)) as unknown as Record<string, any>[];
  const listed = list.find((i) => (i.RepoTags ?? []).includes(IMAGE));
  return {
    inspect: {
      status: r.status,
      ...pick(img, ['Id', 'RepoTags', 'Config.Cmd', 'Config.Entrypoint', 'Config.Env', 'Config.WorkingDir',
        'Config.Labels', 'Os', 'Architecture', 'RootFS.Type', 'RootFS.Layers']),
      'Size>0': img.Size > 0,
    },
    list: { Id: norm(listed?.Id), RepoTags: listed?.RepoTags, 'Created:number': typeof listed?.Created === 'number' },
    missing: errorOf(await req(t.socket, 'GET', `${V}/images/pier-test/nope:latest/json`)),
  };
}

async function lifecycle(req: Request, t: Target): Promise<Observations> {
  const create = (name: string, cmd: string) => req(t.socket, 'POST', `${V}/containers/create?name=${name}`,
    JSON.stringify({ Image: IMAGE, Cmd: ['sh', '-c', cmd], Labels: { conf: name }, Env: ['FOO=bar'] }));
  const out: Observations = {};
  const c1 = await create('conf1', 'echo out; echo err >&2; sleep 30');
  out.create = { status: c1.status, keys: Object.keys(json(c1)).sort() };
  out.created = await inspect(req, t, 'conf1');
  out.start = (await req(t.socket, 'POST', `${V}/containers/conf1/start`)).status;
  out.startAgain = (await req(t.socket, 'POST', `${V}/containers/conf1/start`)).status;
  out.running = await inspect(req, t, 'conf1');
  const filters = encodeURIComponent(JSON.stringify({ label: ['conf=conf1'] }));
  const listed = (json(await req(t.socket, 'GET', `${V}/containers/json?all=1&filters=${filters}`)) as any[])[0];
  out.list = { ...pick(listed, ['Names', 'Image', 'Command', 'State', 'Labels', 'Ports', 'Mounts',
    'HostConfig.NetworkMode']), 'Status starts Up': String(listed?.Status).startsWith('Up') };
  out.removeRunning = errorOf(await req(t.socket, 'DELETE', `${V}/containers/conf1`));
  const exec = await docker(t, ['exec', 'conf1', 'sh', '-c', 'echo exec-out; echo exec-err >&2; exit 4']);
  out.exec = { code: exec.code, stdout: exec.stdout, stderr: exec.stderr };
  out.stop = (await req(t.socket, 'POST', `${V}/containers/conf1/stop?t=1`)).status;
  out.stopAgain = (await req(t.socket, 'POST', `${V}/containers/conf1/stop?t=1`)).status;
  out.stopped = await inspect(req, t, 'conf1');
  out.killStopped = errorOf(await req(t.socket, 'POST', `${V}/containers/conf1/kill`));

  await create('conf2', 'echo out; echo err >&2; exit 3');
  await req(t.socket, 'POST', `${V}/containers/conf2/start`);
  out.wait = json(await req(t.socket, 'POST', `${V}/containers/conf2/wait`));
  // stdout and stderr are separate pipes: their relative order is not defined, each stream's own order is
  const logFrames = frames((await req(t.socket, 'GET', `${V}/containers/conf2/logs?stdout=1&stderr=1`)).body);
  out.logs = { stdout: logFrames.filter(([s]) => s === 1).map(([, x]) => x), stderr: logFrames.filter(([s]) => s === 2).map(([, x]) => x) };
  out.exited = await inspect(req, t, 'conf2');
  const ps = await docker(t, ['ps', '-a', '--filter', 'name=conf2', '--format', '{{.Names}}|{{.Status}}']);
  out.psStatus = ps.stdout.trim().replace(/\d+ seconds?|About a minute|Less than a second/, 'N');
  out.remove = (await req(t.socket, 'DELETE', `${V}/containers/conf2`)).status;
  out.removeAgain = errorOf(await req(t.socket, 'DELETE', `${V}/containers/conf2`));
  out.removeForce = (await req(t.socket, 'DELETE', `${V}/containers/conf1?force=1`)).status;
  return out;
}

async function errors(req: Request, t: Target): Promise<Observations> {
  const post = (p: string, body: string) => req(t.socket, 'POST', `${V}${p}`, body);
  return {
    inspectMissing: errorOf(await req(t.socket, 'GET', `${V}/containers/nope/json`)),
    startMissing: errorOf(await req(t.socket, 'POST', `${V}/containers/nope/start`)),
    createMissingImage: errorOf(await post('/containers/create', JSON.stringify({ Image: 'pier-test/nope:latest' }))),
    createBadName: errorOf(await post('/containers/create?name=bad%20name!', JSON.stringify({ Image: IMAGE }))),
    createBadJson: (await post('/containers/create', '{"Image":')).status,
    createNoImage: (await post('/containers/create', JSON.stringify({ Cmd: ['true'] }))).status,
  };
}

/** Container events of the lifecycle scenario, in order (Type/Action), read back with since/until. */
async function events(req: Request, t: Target, since: number): Promise<Observations> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const filters = encodeURIComponent(JSON.stringify({ container: ['conf2'] }));
  const r = await req(t.socket, 'GET', `${V}/events?since=${since}&until=${until}&filters=${filters}`);
  const list = r.body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return {
    actions: list.map((e) => `${e.Type}:${e.Action}`),
    dieExitCode: list.find((e) => e.Action === 'die')?.Actor?.Attributes?.exitCode,
    nameAttribute: list.every((e) => e.Actor?.Attributes?.name === 'conf2'),
  };
}

/** A published port and a user network with an alias; `port` is free on the host (both servers get the same). */
async function networking(req: Request, t: Target, port: number): Promise<Observations> {
  const out: Observations = {};
  const net = await req(t.socket, 'POST', `${V}/networks/create`, JSON.stringify({ Name: 'confnet', Labels: { conf: '1' } }));
  out.networkCreate = { status: net.status, keys: Object.keys(json(net)).sort() };
  const n = json(await req(t.socket, 'GET', `${V}/networks/confnet`));
  out.networkInspect = { ...pick(n, ['Name', 'Driver', 'Scope', 'Internal', 'Attachable', 'Labels', 'EnableIPv6',
    'IPAM.Driver']), subnets: (n.IPAM?.Config ?? []).length };
  const body = { Image: IMAGE, Cmd: ['httpd', '-f', '-p', '80'], ExposedPorts: { '80/tcp': {}, '81/tcp': {} },
    HostConfig: { NetworkMode: 'confnet', PortBindings: { '80/tcp': [{ HostPort: String(port) }] } },
    NetworkingConfig: { EndpointsConfig: { confnet: { Aliases: ['web'] } } } };
  const c = await req(t.socket, 'POST', `${V}/containers/create?name=confweb`, JSON.stringify(body));
  out.create = c.status;
  await req(t.socket, 'POST', `${V}/containers/confweb/start`);
  const i = json(await req(t.socket, 'GET', `${V}/containers/confweb/json`));
  const ep = i.NetworkSettings?.Networks?.confnet ?? {};
  out.inspect = {
    ...pick(i, ['HostConfig.PortBindings', 'HostConfig.NetworkMode', 'NetworkSettings.Ports', 'Config.ExposedPorts']),
    networks: Object.keys(i.NetworkSettings?.Networks ?? {}), aliasWeb: (ep.Aliases ?? []).includes('web'),
    hasIp: /^\d+\.\d+\.\d+\.\d+$/.test(ep.IPAddress ?? ''), hasGateway: !!ep.Gateway, hasMac: !!ep.MacAddress,
  };
  const filters = encodeURIComponent(JSON.stringify({ name: ['confweb'] }));
  const listed = (json(await req(t.socket, 'GET', `${V}/containers/json?filters=${filters}`)) as any[])[0];
  out.listPorts = [...(listed?.Ports ?? [])].sort((a, b) => String(a.IP).localeCompare(String(b.IP)) || a.PrivatePort - b.PrivatePort);
  const withC = json(await req(t.socket, 'GET', `${V}/networks/confnet`));
  out.networkContainers = Object.values(withC.Containers ?? {}).map((x: any) => x.Name);
  out.removeInUse = (await req(t.socket, 'DELETE', `${V}/networks/confnet`)).status;
  out.port = (await docker(t, ['port', 'confweb'])).stdout.split('\n').filter(Boolean).sort();
  await req(t.socket, 'DELETE', `${V}/containers/confweb?force=1`);
  out.remove = (await req(t.socket, 'DELETE', `${V}/networks/confnet`)).status;
  out.missing = errorOf(await req(t.socket, 'GET', `${V}/networks/confnet`));
  return out;
}

export async function observeAll(t: Target, req: Request, port: number): Promise<Observations> {
  const since = Math.floor(Date.now() / 1000) - 1;
  const version = json(await req(t.socket, 'GET', '/version'));
  const ping = await req(t.socket, 'GET', '/_ping');
  return {
    version: { ApiVersion: version.ApiVersion, Os: version.Os, Arch: version.Arch, hasMin: !!version.MinAPIVersion },
    ping: { status: ping.status, body: ping.body, apiHeader: !!ping.headers['api-version'] },
    images: await images(req, t),
    lifecycle: await lifecycle(req, t),
    errors: await errors(req, t),
    events: await events(req, t, since),
    networking: await networking(req, t, port),
  };
}
