// Host shells in the pty host process, for real: a Node child running node-pty (pty-host.ts) spawns /bin/sh; the
// test types into it, reads the output, kills the host process and checks that the shells end with the reason (in
// the terminal and in the session info), that the engine's process is unharmed, and that the next shell works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PtyHost, forkLauncher, type PtyHostLauncher } from '../../electron/engine/sessions/pty-host-client';
import { HostSession } from '../../electron/engine/sessions/host';

function reader(s: HostSession) {
  let out = '';
  let ended: number | undefined | null = null;
  s.watch((c) => { out += c.toString(); }, (code) => { ended = code; });
  return {
    get text() { return out; },
    get ended() { return ended; },
    /** resolves when the output contains `what` */
    until: (what: string | RegExp) => waitFor(() => (typeof what === 'string' ? out.includes(what) : what.test(out)), `output ${what}; got ${JSON.stringify(out)}`),
  };
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('a shell in the pty host: type, read, resize, exit code', async () => {
  const host = new PtyHost();
  try {
    const s = await HostSession.start(host, { shell: '/bin/sh', rows: 30, cols: 100 }, () => undefined);
    const r = reader(s);
    assert.notEqual(host.pid, process.pid);
    await s.write('echo "pier-$((6*7))"\n');
    await r.until('pier-42');
    await s.resize(40, 132);
    await s.write('stty size\n');
    await r.until('40 132');
    await s.write('exit 3\n');
    assert.equal(await s.exited, 3);
    assert.equal(r.ended, 3);
    assert.deepEqual([s.info().alive, s.info().exitCode, s.info().reason], [false, 3, undefined]);
    await assert.rejects(s.write('x'), /host shell has ended/);
  } finally { host.close(); }
});

test('the pty host process is killed: every shell ends with the reason, the engine lives on, the next shell works', async () => {
  const logs: string[] = [];
  const host = new PtyHost(undefined, undefined, (l) => logs.push(l));
  try {
    const ended: HostSession[] = [];
    const a = await HostSession.start(host, { shell: '/bin/sh' }, (x) => ended.push(x));
    const b = await HostSession.start(host, { shell: '/bin/sh' }, (x) => ended.push(x));
    const ra = reader(a), rb = reader(b);
    await a.write('echo ready-a\n');
    await ra.until('ready-a');
    const first = host.pid!;
    assert.ok(alive(first));
    process.kill(first, 'SIGKILL');
    assert.equal(await a.exited, undefined);
    assert.equal(await b.exited, undefined);
    for (const [s, r] of [[a, ra], [b, rb]] as const) {
      assert.equal(s.info().alive, false);
      assert.equal(s.info().reason, 'the terminal host process was killed by SIGKILL');
      assert.match(r.text, /\[Pier: the terminal host process was killed by SIGKILL; this shell ended\. Open a new terminal to continue\.\]/);
      assert.equal(r.ended, undefined);
    }
    assert.deepEqual(ended, [a, b], 'both sessions unregistered');
    assert.deepEqual(logs, ['pier: the terminal host process was killed by SIGKILL; 2 host shell(s) ended; the next one starts a new host']);
    await assert.rejects(a.write('echo x\n'), /host shell has ended \(the terminal host process was killed by SIGKILL\)/);
    // a new shell starts a new host
    const c = await HostSession.start(host, { shell: '/bin/sh' }, () => undefined);
    const rc = reader(c);
    assert.ok(host.pid && host.pid !== first, 'a new host process');
    await c.write('echo again-$((1+1))\n');
    await rc.until('again-2');
    await c.close();
    assert.equal(c.info().alive, false);
  } finally { host.close(); }
});

test('a host that dies before it is ready, or a shell that cannot start: a clear error, nothing left running', async () => {
  const broken: PtyHostLauncher = (entry) => forkLauncher(entry + '.missing');
  const host = new PtyHost(broken, undefined, () => undefined);
  await assert.rejects(HostSession.start(host, { shell: '/bin/sh' }, () => undefined), /the terminal host process exited with code 1/);
  const ok = new PtyHost();
  try {
    // node-pty forks before exec: a missing shell is a shell that ends at once with a failure code
    const s = await HostSession.start(ok, { shell: '/nonexistent/shell' }, () => undefined);
    assert.notEqual(await s.exited, 0);
    const t = await HostSession.start(ok, { shell: '/bin/sh' }, () => undefined);
    const rt = reader(t);
    await t.write('echo still-fine\n');
    await rt.until('still-fine');
    // stopping the host (engine close) ends its shells with that reason, quietly
    ok.close();
    assert.equal(await t.exited, undefined);
    assert.equal(t.info().reason, 'Pier stopped the terminal host process');
  } finally { ok.close(); }
});
