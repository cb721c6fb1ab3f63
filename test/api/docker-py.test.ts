// docker-py (the Python SDK; calls GET /version, then /v1.NN/… paths) against `pier serve`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, DOCKER, type PierServer } from './helpers';

const hasPy = spawnSync('python3', ['-c', 'import docker'], { stdio: 'ignore' }).status === 0;
const skip = !hasPy ? 'python3 docker module (docker-py) not installed' : !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;

const SCRIPT = String.raw`
import docker, json, sys
c = docker.DockerClient(base_url=sys.argv[1])
out = {}
out['version'] = c.version()['ApiVersion']
out['run'] = c.containers.run('pier-test/busybox', ['sh', '-c', 'echo hi; echo err >&2'], remove=True, stderr=True).decode()
d = c.containers.run('pier-test/busybox', ['sh', '-c', 'echo started; sleep 60'], detach=True, name='py1', labels={'sdk': 'docker-py'})
d.reload()
out['status'] = d.status
r = d.exec_run(['sh', '-c', 'echo exec-out; exit 4'])
out['exec'] = [r.exit_code, r.output.decode()]
out['list'] = [x.name for x in c.containers.list(filters={'label': 'sdk=docker-py'})]
d.stop(timeout=0)
out['wait'] = d.wait()['StatusCode']
out['logs'] = d.logs().decode()
d.remove()
out['images'] = sorted(t for i in c.images.list() for t in i.tags)
try:
    c.containers.get('py1')
    out['gone'] = False
except docker.errors.NotFound:
    out['gone'] = True
try:
    c.containers.run('pier-test/busybox', ['sh', '-c', 'exit 3'], remove=True)
except docker.errors.ContainerError as e:
    out['error_exit'] = e.exit_status
print(json.dumps(out))
`;

describe('docker-py against pier serve', { skip }, () => {
  before(async () => {
    srv = await startPierWithImages();
  });
  after(() => stopPier(srv));

  test('run, detach, exec, stop, wait, logs, remove, images, errors', () => {
    const out = JSON.parse(execFileSync('python3', ['-c', SCRIPT, `unix://${srv.socket}`], { encoding: 'utf8', timeout: 60_000 })) as Record<string, unknown>;
    assert.equal(out.version, '1.50');
    assert.equal(out.run, 'hi\nerr\n');
    assert.equal(out.status, 'running');
    assert.deepEqual(out.exec, [4, 'exec-out\n']);
    assert.deepEqual(out.list, ['py1']);
    assert.equal(out.wait, 137);
    assert.equal(out.logs, 'started\n');
    assert.equal(out.gone, true);
    assert.ok((out.images as string[]).includes('pier-test/busybox:latest'));
    assert.equal(out.error_exit, 3);
  });

  test('volumes and build through docker-py', () => {
    const script = String.raw`
import docker, io, json, sys
c = docker.DockerClient(base_url=sys.argv[1])
out = {}
v = c.volumes.create(name='pyvol', labels={'sdk': 'py'})
out['vol'] = [v.name, v.attrs['Driver'], v.attrs['Labels']]
c.containers.run('pier-test/busybox', ['sh', '-c', 'echo kept > /d/f'], volumes={'pyvol': {'bind': '/d', 'mode': 'rw'}}, remove=True)
out['persist'] = c.containers.run('pier-test/busybox', ['cat', '/d/f'], volumes=['pyvol:/d:ro'], remove=True).decode()
out['listed'] = [x.name for x in c.volumes.list(filters={'label': 'sdk=py'})]
v.remove()
out['after'] = [x.name for x in c.volumes.list()]
df = io.BytesIO(b'FROM pier-test/busybox\nRUN echo built > /b.txt\nCMD ["cat", "/b.txt"]\n')
img, logs = c.images.build(fileobj=df, tag='pybuilt:1', rm=True)
out['tags'] = img.tags
out['steps'] = [l['stream'].strip() for l in logs if 'stream' in l and l['stream'].startswith('Step')]
out['run'] = c.containers.run('pybuilt:1', remove=True).decode()
print(json.dumps(out))
`;
    const out = JSON.parse(execFileSync('python3', ['-c', script, `unix://${srv.socket}`], { encoding: 'utf8', timeout: 120_000 })) as Record<string, unknown>;
    assert.deepEqual(out.vol, ['pyvol', 'local', { sdk: 'py' }]);
    assert.equal(out.persist, 'kept\n');
    assert.deepEqual(out.listed, ['pyvol']);
    assert.deepEqual(out.after, []);
    assert.deepEqual(out.tags, ['pybuilt:1']);
    assert.deepEqual(out.steps, ['Step 1/3 : FROM pier-test/busybox', 'Step 2/3 : RUN echo built > /b.txt', 'Step 3/3 : CMD ["cat", "/b.txt"]']);
    assert.equal(out.run, 'built\n');
  });
});
