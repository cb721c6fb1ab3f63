// testcontainers-node 11.9.0 (dockerode underneath: unversioned paths, `true` booleans,
// exec without Upgrade) against `pier serve`: start a container, wait for a log line,
// read its logs, exec in it, stop it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, DOCKER, type PierServer } from './helpers';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed (used to load the test image)` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;

describe('testcontainers against pier serve', { skip }, () => {
  before(async () => {
    srv = await startPierWithImages();
    // testcontainers reads its configuration from the environment when first loaded
    process.env.DOCKER_HOST = `unix://${srv.socket}`;
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE = 'localhost';
  });
  after(() => stopPier(srv));

  test('GenericContainer: start, wait for a log message, logs, exec, stop', async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const c = await new GenericContainer('pier-test/busybox:latest')
      .withCommand(['sh', '-c', 'echo booting; echo ready to serve; echo to-stderr >&2; sleep 300'])
      .withEnvironment({ GREETING: 'hello from pier' })
      .withLabels({ suite: 'testcontainers' })
      .withWaitStrategy(Wait.forLogMessage('ready to serve'))
      .withStartupTimeout(30_000)
      .start();
    try {
      const logs = await c.logs();
      const text = await new Promise<string>((resolve) => {
        let s = '';
        logs.on('data', (d: Buffer | string) => { s += d.toString(); if (s.includes('to-stderr')) { logs.destroy(); resolve(s); } });
        logs.on('end', () => resolve(s));
      });
      assert.match(text, /booting/);
      assert.match(text, /ready to serve/);
      const ex = await c.exec(['sh', '-c', 'echo $GREETING; echo oops >&2; exit 3']);
      assert.equal(ex.exitCode, 3);
      assert.equal(ex.stdout, 'hello from pier\n');
      assert.equal(ex.stderr, 'oops\n');
      assert.equal(c.getLabels().suite, 'testcontainers');
      const ps = await docker(srv, ['ps', '--filter', 'label=suite=testcontainers', '--format', '{{.State}}']);
      assert.equal(ps.stdout.trim(), 'running');
    } finally {
      await c.stop({ timeout: 0 });
    }
    const gone = await docker(srv, ['ps', '-aq', '--filter', 'label=suite=testcontainers']);
    assert.equal(gone.stdout.trim(), '', 'stop removes the container (testcontainers default)');
  });
});
