// -m 32m and a process that allocates 64 MB: the kernel kills it, inspect says OOMKilled,
// and `docker events` shows the oom event — real conmon + runc behind `pier serve`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { startPierWithImages, stopPier, docker, until, DOCKER, type PierServer } from './helpers';

const IMG = 'pier-test/busybox';
const skipAll = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;

describe('memory limit: OOM kill', { skip: skipAll }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('-m 32m + 64 MB allocation → killed, OOMKilled true, oom event', async () => {
    const events = spawn(DOCKER, ['events', '--format', '{{.Action}} {{.Actor.Attributes.name}}', '--filter', 'type=container'], { env: srv.env });
    let seen = '';
    events.stdout.on('data', (d) => { seen += d; });
    try {
      // the events stream is open once the first event of this test arrives
      await docker(srv, ['create', '--name', 'probe', IMG, 'true']);
      await until(() => /create probe/.test(seen), 10_000, 'the events stream');
      // dd's 64 MiB block buffer is touched as it reads: memory + swap (64m by default) cannot hold it
      const r = await docker(srv, ['run', '--name', 'hog', '-m', '32m', IMG, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']);
      assert.equal(r.code, 137, r.stderr);
      assert.equal((await docker(srv, ['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'hog'])).stdout.trim(), 'true 137');
      await until(() => /oom hog/.test(seen), 10_000, 'the oom event');
      assert.ok(seen.indexOf('oom hog') < seen.indexOf('die hog') || !/die hog/.test(seen), `oom before die:\n${seen}`);
      // without a limit the same allocation succeeds
      const fine = await docker(srv, ['run', '--rm', IMG, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']);
      assert.equal(fine.code, 0, fine.stderr);
    } finally {
      events.kill();
    }
  });
});
