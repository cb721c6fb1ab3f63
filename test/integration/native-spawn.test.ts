// posix_spawn children (electron/engine/runtime/native-spawn.ts, native/src/spawn.cc) and run()/spawnDetached()
// on top of them: real programs, real fds, real sessions and signals; the addon's overlay mount/unmount and
// network namespaces (native/src/mount.cc) on real overlays and namespaces. No mocks.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnNative } from '../../electron/engine/runtime/native-spawn';
import { run, spawnDetached } from '../../electron/engine/runtime/proc';
import { makeNetns, mountOverlay, unmount } from '../../native/index';

let scratch: string;
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-spawn-'));
});
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const repo = path.resolve(import.meta.dirname, '../..');

describe('native spawn', () => {
  test('run(): output, exit code, stdin, cwd and a bare name found in the given PATH', async () => {
    assert.deepEqual(await run('sh', ['-c', 'echo out; echo err >&2; exit 3']), {
      code: 3,
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    assert.equal((await run('cat', [], { input: 'from stdin' })).stdout, 'from stdin');
    assert.equal((await run('pwd', [], { cwd: scratch })).stdout, `${fs.realpathSync(scratch)}\n`);
    const bin = path.join(scratch, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'pier-spawn-probe'), '#!/bin/sh\necho "probe $0 $1"\n', { mode: 0o755 });
    const r = await run('pier-spawn-probe', ['arg'], { env: { PATH: `/nonexistent:${bin}:/usr/bin:/bin` } });
    assert.equal(r.stdout, `probe ${path.join(bin, 'pier-spawn-probe')} arg\n`);
  });

  test('run(): 8 MB of output arrives whole; a signal and a timeout are reported as such', async () => {
    assert.equal((await run('head', ['-c', String(8 << 20), '/dev/zero'])).stdout.length, 8 << 20);
    assert.deepEqual(await run('sh', ['-c', 'kill -TERM $$']), {
      code: 128,
      signal: 'SIGTERM',
      stdout: '',
      stderr: '',
    });
    const t0 = Date.now();
    const slow = await run('sleep', ['30'], { timeoutMs: 200 });
    assert.equal(slow.signal, 'SIGKILL');
    assert.ok(Date.now() - t0 < 10_000);
  });

  test('a missing program: run() rejects naming it, spawnNative throws ENOENT', async () => {
    await assert.rejects(run('pier-no-such-program', []), /pier-no-such-program not found/);
    assert.throws(
      () => spawnNative('/nonexistent/prog', [], { env: process.env, stdio: ['ignore', 'ignore', 'ignore'] }),
      { code: 'ENOENT' },
    );
  });

  test('the child starts with default signal dispositions, an empty mask and only the fds it was given', async () => {
    const { stdout } = await run('sh', ['-c', 'grep -E "^Sig(Ign|Blk)" /proc/self/status; ls /proc/self/fd']);
    assert.match(stdout, /SigIgn:\s+0+\n/);
    assert.match(stdout, /SigBlk:\s+0+\n/);
    // 0-2, the fd ls opens for the directory, and what this test process itself inherited without close-on-exec
    const inherited = new Set(
      fs
        .readdirSync('/proc/self/fd')
        .map(Number)
        .filter((fd) => fd > 2 && !hasCloexec(fd)),
    );
    const extra = stdout
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number)
      .filter((fd) => fd > 2 && !inherited.has(fd));
    assert.ok(extra.length <= 1, `unexpected fds in the child: ${extra.join(' ')}`);
  });

  test('extra fds land at 3, 4… whatever their numbers here, also when crossed', async () => {
    const a = path.join(scratch, 'a'),
      b = path.join(scratch, 'b');
    fs.writeFileSync(a, 'A');
    fs.writeFileSync(b, 'B');
    const fa = fs.openSync(a, 'r'),
      fb = fs.openSync(b, 'r');
    // the lower fd goes to the higher slot and the other way round
    const [lo, hi] = fa < fb ? [fa, fb] : [fb, fa];
    try {
      const child = spawnNative('sh', ['-c', 'cat <&3; cat <&4'], {
        env: process.env,
        stdio: ['ignore', 'pipe', 'ignore', hi, lo],
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
      });
      await once(child, 'close');
      assert.equal(
        out,
        fs.readFileSync(`/proc/self/fd/${hi}`, 'utf8') + fs.readFileSync(`/proc/self/fd/${lo}`, 'utf8'),
      );
      assert.equal(out.length, 2);
    } finally {
      fs.closeSync(fa);
      fs.closeSync(fb);
    }
  });

  test('spawnDetached: a new session, exit reported, no zombie left', async (t) => {
    // the child is unref()ed (it must not hold the engine open): something else keeps this process alive meanwhile
    const keep = setInterval(() => undefined, 1000);
    t.after(() => clearInterval(keep));
    const child = spawnDetached('sh', ['-c', 'cut -d" " -f6 /proc/self/stat; exit 7'], {
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/',
      fds: [],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
    });
    // both listened for at once: the pipe may close before or after the exit is reported
    const [[code]] = await Promise.all([once(child, 'exit'), once(child.stdout!, 'close')]);
    assert.equal(code, 7);
    assert.equal(Number(out.trim()), child.pid, 'session id is the child itself');
    assert.equal(fs.existsSync(`/proc/${child.pid}`), false, 'reaped');
  });

  test('a waiting child keeps the process alive; an unref()ed one does not', async () => {
    const script = path.join(scratch, 'alive.mts');
    fs.writeFileSync(
      script,
      `
      import { spawnNative } from ${JSON.stringify(path.join(repo, 'electron/engine/runtime/native-spawn.ts'))};
      const c = spawnNative('sleep', [process.argv[2]], { env: process.env, stdio: ['ignore', 'ignore', 'ignore'] });
      if (process.argv[3] === 'unref') { c.unref(); console.log(c.pid); }
      c.on('exit', (code) => console.log('exit', code));
    `,
    );
    const waited = execFileSync(process.execPath, ['--import', 'tsx', script, '0.3'], { cwd: repo }).toString();
    assert.equal(waited, 'exit 0\n');
    const t0 = Date.now();
    const left = execFileSync(process.execPath, ['--import', 'tsx', script, '20', 'unref'], { cwd: repo }).toString();
    const pid = Number(left.trim());
    assert.ok(pid > 0, left);
    assert.ok(Date.now() - t0 < 15_000, 'did not wait for the unref()ed child');
    process.kill(pid, 'SIGKILL'); // the sleep it left (it ends in 20 s anyway)
  });
});

describe('native overlay mount', { skip: process.getuid?.() !== 0 ? 'needs root' : undefined }, () => {
  test('relative lower dirs resolve against the given directory; this process keeps its own', async () => {
    const base = path.join(scratch, 'ov');
    for (const d of ['layers/l1', 'layers/l2', 'upper', 'work', 'merged'])
      fs.mkdirSync(path.join(base, d), { recursive: true });
    fs.writeFileSync(path.join(base, 'layers/l1/from-l1'), 'one');
    fs.writeFileSync(path.join(base, 'layers/l2/from-l2'), 'two');
    const merged = path.join(base, 'merged');
    const cwd = process.cwd();
    const opts = `lowerdir=l2:l1,upperdir=${base}/upper,workdir=${base}/work`;
    await mountOverlay(path.join(base, 'layers'), opts, merged);
    try {
      assert.equal(process.cwd(), cwd);
      assert.deepEqual(fs.readdirSync(merged).sort(), ['from-l1', 'from-l2']);
      fs.writeFileSync(path.join(merged, 'new'), 'x');
      assert.equal(fs.readFileSync(path.join(base, 'upper/new'), 'utf8'), 'x');
      // busy: the plain unmount fails, the detaching one goes through
      const held = fs.openSync(path.join(merged, 'from-l1'), 'r');
      try {
        await assert.rejects(unmount(merged), { code: 'EBUSY' });
        await unmount(merged, true);
      } finally {
        fs.closeSync(held);
      }
      assert.deepEqual(fs.readdirSync(merged), []);
    } finally {
      await unmount(merged, true).catch(() => undefined);
    }
  });

  test('errors name the errno and the target, and nothing is mounted', async () => {
    const target = path.join(scratch, 'bad-target');
    fs.mkdirSync(target);
    await assert.rejects(
      mountOverlay(scratch, 'lowerdir=no-such-layer,upperdir=/nonexistent,workdir=/nonexistent', target),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.message.includes(target),
    );
    await assert.rejects(unmount(target), { code: 'EINVAL' });
    assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(target), false);
  });
});

describe('native network namespace', { skip: process.getuid?.() !== 0 ? 'needs root' : undefined }, () => {
  test('a new namespace with only its loopback, up, held by the bind mount; this process keeps its own', async () => {
    const file = path.join(scratch, 'ns1');
    fs.writeFileSync(file, '');
    const own = fs.readlinkSync('/proc/self/ns/net');
    await makeNetns(file);
    try {
      assert.equal(fs.readlinkSync('/proc/self/ns/net'), own, 'the engine stays in its namespace');
      const links = execFileSync('nsenter', [`--net=${file}`, 'ip', '-o', 'link', 'show'], { encoding: 'utf8' })
        .trim()
        .split('\n');
      assert.equal(links.length, 1, links.join('\n'));
      assert.match(links[0], /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
      const inside = execFileSync('nsenter', [`--net=${file}`, 'readlink', '/proc/self/ns/net'], {
        encoding: 'utf8',
      }).trim();
      assert.notEqual(inside, own);
      // many at once: each its own namespace (threads never share one)
      const files = Array.from({ length: 8 }, (_, i) => path.join(scratch, `nsm${i}`));
      for (const f of files) fs.writeFileSync(f, '');
      await Promise.all(files.map((f) => makeNetns(f)));
      const ids = files.map((f) =>
        execFileSync('nsenter', [`--net=${f}`, 'readlink', '/proc/self/ns/net'], { encoding: 'utf8' }).trim(),
      );
      assert.equal(new Set([...ids, inside, own]).size, 10);
      for (const f of files) await unmount(f);
    } finally {
      await unmount(file).catch(() => undefined);
    }
    assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(file), false);
  });

  test('a missing target: ENOENT from mount naming it, nothing mounted', async () => {
    const target = path.join(scratch, 'no-such-dir', 'ns');
    await assert.rejects(
      makeNetns(target),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.syscall === 'mount' && e.message.includes(target),
    );
    assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(target), false);
  });
});

function hasCloexec(fd: number): boolean {
  try {
    const flags = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/flags:\s+(\d+)/)?.[1];
    return !!flags && (parseInt(flags, 8) & 0o2000000) !== 0;
  } catch {
    return true;
  }
}
