// Issue 11 item 1 through the API: fast execs lose no byte and no exit code, whatever the client:
// raw HTTP (upgraded and plain, TTY and not, a client slow to read the head), docker-py, and the
// docker CLI 20 at a time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, request, DOCKER, type PierServer } from './helpers';

const hasPy = spawnSync('python3', ['-c', 'import docker'], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;
let cid: string;

/** Demultiplexes Docker's 8-byte framed stream. */
function demux(buf: Buffer): { out: string; err: string; rest: number } {
  const o: Buffer[] = [], e: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const n = buf.readUInt32BE(i + 4);
    if (i + 8 + n > buf.length) break;
    (buf[i] === 2 ? e : o).push(buf.subarray(i + 8, i + 8 + n));
    i += 8 + n;
  }
  return { out: Buffer.concat(o).toString(), err: Buffer.concat(e).toString(), rest: buf.length - i };
}

/**
 * Starts an exec on a raw connection the way docker-py reads it: the first read is taken as the
 * response head and anything after the head in that read is lost. The client waits `delay` ms before
 * its first read (a busy client). Returns the head, the stream after it, and what the first read held past the head.
 */
function rawStart(id: string, o: { tty: boolean; upgrade: boolean; delay: number }): Promise<{ head: string; body: Buffer; extra: number }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ Detach: false, Tty: o.tty });
    const s = net.connect(srv.socket);
    const chunks: Buffer[] = [];
    let head = '', extra = 0;
    s.pause();
    s.on('connect', () => {
      s.write(`POST /v1.50/exec/${id}/start HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n${o.upgrade ? 'Connection: Upgrade\r\nUpgrade: tcp\r\n' : ''}\r\n${body}`);
      setTimeout(() => s.resume(), o.delay);
    });
    s.on('data', (d: Buffer) => {
      if (!head) {
        const end = d.indexOf('\r\n\r\n');
        if (end < 0) { reject(new Error(`head split across reads: ${d}`)); s.destroy(); return; }
        head = d.subarray(0, end + 4).toString();
        extra = d.length - end - 4; // docker-py's buffered reader keeps (and then drops) these bytes
        return;
      }
      chunks.push(d);
    });
    s.on('end', () => { s.end(); resolve({ head, body: Buffer.concat(chunks), extra }); });
    s.on('error', reject);
  });
}

async function createExec(cmd: string[], tty: boolean): Promise<string> {
  const r = await request(srv.socket, 'POST', `/v1.50/containers/${cid}/exec`, JSON.stringify({ Cmd: cmd, Tty: tty, AttachStdout: true, AttachStderr: true }));
  assert.equal(r.status, 201, r.body);
  return JSON.parse(r.body).Id as string;
}

describe('exec output through the API', { skip }, () => {
  before(async () => {
    srv = await startPierWithImages();
    const r = await docker(srv, ['run', '-d', '--network', 'none', '--name', 'execs', 'pier-test/busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    cid = r.stdout.trim();
  });
  after(() => stopPier(srv));

  test('raw HTTP: 100 fast execs, upgraded or not, TTY or not, slow to read the head', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 100; i++) {
      const tty = i % 4 >= 2, upgrade = i % 2 === 0;
      const id = await createExec(['sh', '-c', `echo out-${i}; echo err-${i} >&2; exit ${i % 7}`], tty);
      const r = await rawStart(id, { tty, upgrade, delay: i % 3 === 0 ? 60 : 0 });
      const got = tty ? { out: r.body.toString(), err: '', rest: 0 } : demux(r.body);
      const want = tty ? { out: `out-${i}\r\nerr-${i}\r\n`, err: '', rest: 0 } : { out: `out-${i}\n`, err: `err-${i}\n`, rest: 0 };
      const inspect = JSON.parse((await request(srv.socket, 'GET', `/v1.50/exec/${id}/json`)).body) as { ExitCode: number; Running: boolean };
      if (!r.head.startsWith(upgrade ? 'HTTP/1.1 101' : 'HTTP/1.1 200') || r.extra || JSON.stringify(got) !== JSON.stringify(want) || inspect.ExitCode !== i % 7 || inspect.Running) {
        failures.push(`#${i} tty=${tty} upgrade=${upgrade}: extra=${r.extra} ${JSON.stringify(got)} exit=${inspect.ExitCode}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('docker-py: 100 exec_run (demuxed and whoami) lose nothing', { skip: hasPy ? undefined : 'python3 docker module (docker-py) not installed' }, async () => {
    const script = String.raw`
import docker, json, sys
c = docker.DockerClient(base_url=sys.argv[1])
d = c.containers.get('execs')
bad = []
for i in range(100):
    if i % 10 == 9:
        r = d.exec_run(['whoami'])
        if (r.exit_code, r.output) != (0, b'root\n'): bad.append([i, r.exit_code, r.output.decode()])
        continue
    r = d.exec_run(['sh', '-c', 'echo out-%d; echo err-%d >&2; exit %d' % (i, i, i % 7)], demux=True)
    if (r.exit_code, r.output) != (i % 7, (b'out-%d\n' % i, b'err-%d\n' % i)): bad.append([i, r.exit_code, repr(r.output)])
print(json.dumps(bad))
`;
    const out = await new Promise<string>((resolve, reject) => execFile('python3', ['-c', script, `unix://${srv.socket}`], { timeout: 180_000 }, (e, so, se) => (e ? reject(new Error(`${e.message}\n${se}`)) : resolve(so))));
    assert.deepEqual(JSON.parse(out), []);
  });

  test('docker CLI: 100 execs, 20 at a time, lose nothing', async () => {
    const failures: string[] = [];
    for (let wave = 0; wave < 5; wave++) {
      await Promise.all(Array.from({ length: 20 }, async (_, k) => {
        const i = wave * 20 + k;
        const r = await docker(srv, ['exec', 'execs', 'sh', '-c', `echo out-${i}; echo err-${i} >&2; exit ${i % 7}`]);
        if (r.code !== i % 7 || r.stdout !== `out-${i}\n` || r.stderr !== `err-${i}\n`) failures.push(`#${i}: ${JSON.stringify(r)}`);
      }));
    }
    assert.deepEqual(failures, []);
  });
});
