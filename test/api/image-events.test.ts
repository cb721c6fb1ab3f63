// Issue 11, item 13: image operations through the Docker API (load, tag, untag, pull, delete, prune) publish
// events; `docker events` shows the same events, in the same shapes, as the reference dockerd for the same steps.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { startPier, stopPier, docker, testImages, until, DOCKER, type PierServer } from './helpers';
import { startRegistry, registryAvailable, type TestRegistry } from '../helpers/registry';
import { startDockerd, dockerdSkipReason } from '../helpers/dockerd';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : registryAvailable();

type Server = { env: NodeJS.ProcessEnv; output?: () => string };

/** Runs the steps with `docker events` watching; returns the image events up to the prune's, normalized. */
async function scenario(srv: Server, archive: string, reg: TestRegistry): Promise<string[]> {
  // --since: events published before the watcher's request arrived are replayed, none is missed
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const watcher = spawn(DOCKER, ['events', '--since', since, '--filter', 'type=image', '--format', '{{json .}}'], { env: srv.env });
  let out = '';
  watcher.stdout.on('data', (d) => { out += d; });
  try {
    const steps = [['load', '-i', archive], ['tag', 'pier-test/busybox', 'extra/name:v1'], ['rmi', 'extra/name:v1'],
      ['pull', `${reg.host}/ev/busybox:1`], ['rmi', `${reg.host}/ev/busybox:1`], ['image', 'prune', '-a', '-f']];
    for (const s of steps) {
      const r = await docker(srv, s);
      assert.equal(r.code, 0, `docker ${s.join(' ')}: ${r.stderr}`);
    }
    await until(() => out.includes('"Action":"prune"'), 10_000, 'the prune event');
  } finally { watcher.kill(); }
  return out.split('\n').filter(Boolean).map((l) => {
    const e = JSON.parse(l) as { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } };
    const attrs = { ...e.Actor.Attributes };
    if (attrs.reclaimed) attrs.reclaimed = Number(attrs.reclaimed) > 0 ? '>0' : '0';
    return JSON.stringify([e.Type, e.Action, e.Actor.ID, Object.entries(attrs).sort()]);
  });
}

describe('image events through the API', { skip }, () => {
  let srv: PierServer, reg: TestRegistry, archive: string;
  before(async () => {
    archive = await testImages();
    reg = await startRegistry();
    reg.push(`docker-archive:${archive}:pier-test/busybox:latest`, 'ev/busybox:1');
    srv = await startPier();
  });
  after(async () => { await stopPier(srv); await reg?.stop(); });

  test('load, tag, untag, pull, delete and prune show in docker events as dockerd shows them', async () => {
    const pier = await scenario(srv, archive, reg);
    const actions = pier.map((e) => JSON.parse(e)[1] as string);
    for (const a of ['load', 'tag', 'untag', 'pull', 'delete', 'prune']) assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
    const why = dockerdSkipReason();
    if (why) { test.skip?.(why); return; }
    const ref = await startDockerd({ bridge: 'pierev0', subnet: '172.31.247' });
    try {
      const expected = await scenario(ref, archive, reg);
      assert.deepEqual([...pier].sort(), [...expected].sort());
      // and in the same order up to the prune (load 2, tag, untag, pull, untag), whose image order is the store's
      assert.deepEqual(pier.slice(0, 6), expected.slice(0, 6));
    } finally { await ref.stop(); }
  });
});
