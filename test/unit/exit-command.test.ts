// conmon's exit command: argv shape, and the sh wrapper that leaves exits to a watching engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createArgs } from '../../electron/engine/conmon/args';
import { exitCommand, EXIT_WATCH_LOCK } from '../../electron/engine/runtime/exit-command';
import { lockFile } from '../../electron/engine/store/lock';

const common = { cid: 'c1', cuuid: 'c1', runtimePath: '/usr/sbin/runc', runtimeArgs: [], bundle: '/b', pidFile: '/r/pidfile', name: 'web', exitDir: '/r/exits', terminal: false, stdin: false, logPath: '/l', conmonPidFile: '/p' };

test('createArgs: --exit-command then one --exit-command-arg per argument', () => {
  const a = createArgs({ ...common, exitCommand: ['/bin/sh', '-c', 'x y', 'z'] });
  assert.ok(a.join('\u0000').endsWith(['--exit-command', '/bin/sh', '--exit-command-arg', '-c', '--exit-command-arg', 'x y', '--exit-command-arg', 'z'].join('\u0000')));
  assert.ok(!createArgs(common).includes('--exit-command'));
});

test('the wrapper runs cleanup only while no engine holds the exit-watch lock', async () => {
  const runroot = mkdtempSync(path.join(os.tmpdir(), 'pier-exitcmd-'));
  try {
    const marker = path.join(runroot, 'ran');
    const argv = exitCommand(['/bin/sh', '-c', 'touch "$0"', marker], { root: '/r', runroot, runtimePath: '/usr/sbin/runc', runtimeRoot: '/x' }, 'c1');
    assert.deepEqual(argv.slice(-11), ['container', 'cleanup', '--root', '/r', '--runroot', runroot, '--runtime', '/usr/sbin/runc', '--runtime-root', '/x', 'c1']);
    const held = await lockFile(path.join(runroot, EXIT_WATCH_LOCK));
    assert.equal(spawnSync(argv[0], argv.slice(1)).status, 0);
    assert.ok(!existsSync(marker), 'an engine is watching: nothing started');
    held.release();
    assert.equal(spawnSync(argv[0], argv.slice(1)).status, 0);
    assert.ok(existsSync(marker), 'no engine: cleanup started');
  } finally { rmSync(runroot, { recursive: true, force: true }); }
});
