// Pure pieces of the engine core: conmon argv, sync messages, oci-log, k8s-file records,
// spec generation, signals, ctl messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createArgs, execArgs, conmonEnv } from '../../electron/engine/conmon/args';
import { parseSyncLine, LineSplitter, parseOciLog } from '../../electron/engine/conmon/sync';
import { parseRecord, EntryAssembler, timeOf, readLogs } from '../../electron/engine/conmon/logs';
import { resizeMessage } from '../../electron/engine/conmon/ctl';
import { generateSpec, processSpec, DEFAULT_CAPS } from '../../electron/engine/spec/spec';
import { parseSignal, terminates } from '../../electron/engine/containers/signals';
import { classify } from '../../electron/engine/runtime/conmon-runtime';

const common = { cid: 'c1', cuuid: 'c1', runtimePath: '/usr/sbin/runc', runtimeArgs: ['--root', '/run/x'], bundle: '/b', pidFile: '/r/pidfile', name: 'web', exitDir: '/r/exits', ociLog: '/r/oci-log', terminal: true, stdin: true };

test('create argv: libpod order, full attach, k8s-file log, -t wins over -i, runtime args and opts', () => {
  const a = createArgs({ ...common, logPath: '/b/ctr.log', logSizeMax: 1000, conmonPidFile: '/r/conmon.pid', restoreFrom: '/b/checkpoint', runtimeOpts: ['--tcp-established'] });
  assert.deepEqual(a.slice(0, 17), ['--api-version', '1', '-c', 'c1', '-u', 'c1', '-r', '/usr/sbin/runc', '-b', '/b', '-p', '/r/pidfile', '-n', 'web', '--exit-dir', '/r/exits', '--full-attach']);
  assert.ok(a.join(' ').includes('--runtime-arg --root --runtime-arg /run/x'));
  assert.ok(a.includes('--runtime-arg=/r/oci-log'));
  assert.ok(a.join(' ').includes('-l k8s-file:/b/ctr.log --log-size-max 1000 -t --conmon-pidfile /r/conmon.pid --restore /b/checkpoint --runtime-opt --tcp-established'));
  assert.ok(!a.includes('-i'), 'never -t and -i together');
  assert.ok(createArgs({ ...common, terminal: false, logPath: '/l', conmonPidFile: '/p' }).includes('-i'));
});

test('exec argv: logs off, exec attach, process spec', () => {
  const a = execArgs({ ...common, cuuid: 'e1', terminal: false, stdin: false, processSpec: '/b/e1/exec-process-x' });
  assert.ok(a.join(' ').endsWith('-l none -e --exec-attach --exec-process-spec /b/e1/exec-process-x'));
  assert.equal(conmonEnv({ PATH: '/bin', SECRET: 'x', LC_ALL: 'C' }, true)._OCI_ATTACHPIPE, '5');
  assert.equal(conmonEnv({ SECRET: 'x' }, false).SECRET, undefined, 'only the listed variables pass');
});

test('sync messages: data, message, legacy keys, garbage', () => {
  assert.deepEqual(parseSyncLine('{"data": 1234}'), { data: 1234 });
  assert.deepEqual(parseSyncLine('{"data": -1, "message": "runc create failed: x"}'), { data: -1, message: 'runc create failed: x' });
  assert.deepEqual(parseSyncLine('{"pid": 7}'), { data: 7 });
  assert.throws(() => parseSyncLine('nope'), /unreadable sync message/);
  const s = new LineSplitter();
  assert.deepEqual(s.push('{"data": 1}\n{"da'), ['{"data": 1}']);
  assert.deepEqual(s.push('ta": 2}\n'), ['{"data": 2}']);
});

test('oci-log: the last error wins; concatenated objects without newlines', () => {
  const log = '{"level":"warning","msg":"w","time":"t"}{"level":"error","msg":"exec: \\"/x\\": stat /x: no such file or directory","time":"t"}';
  assert.equal(parseOciLog(log), 'exec: "/x": stat /x: no such file or directory');
  assert.equal(parseOciLog(''), undefined);
  assert.equal(classify('stat /x: no such file or directory'), 'ENOEXEC');
  assert.equal(classify('operation not permitted'), 'EPERM');
});

test('k8s-file records: full, partial joined, per-stream, garbage skipped, timestamps', () => {
  const rec = (s: string) => parseRecord(Buffer.from(s))!;
  assert.equal(parseRecord(Buffer.from('garbage')), undefined);
  const r = rec('2026-11-28T19:50:10.942506761+00:00 stdout F hello world');
  assert.equal(r.content.toString(), 'hello world');
  const asm = new EntryAssembler();
  assert.equal(asm.push(rec('2026-11-28T19:50:10.000000001+00:00 stdout P par')), undefined);
  assert.equal(asm.push(rec('2026-11-28T19:50:10.000000002+00:00 stderr F err'))!.line.toString(), 'err');
  const joined = asm.push(rec('2026-11-28T19:50:10.000000003+00:00 stdout F tial'))!;
  assert.equal(joined.line.toString(), 'partial');
  assert.equal(joined.time, '2026-11-28T19:50:10.000000001+00:00', 'an entry keeps its first timestamp');
  assert.equal(rec('2026-11-28T19:50:10.5+00:00 stdout F ').content.length, 0);
  assert.equal(timeOf('2026-11-28T19:50:10.500000000+01:00'), Date.parse('2026-11-28T18:50:10Z') / 1000 + 0.5);
});

test('k8s-file reading: entries read before a later chunk keep their content (log larger than one read)', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/pier-logs-`);
  try {
    // ~470 KiB: two reads into the reader's 256 KiB buffer, lines of varying length
    const want = Array.from({ length: 12_000 }, (_, i) => `line-${i + 1}`);
    writeFileSync(`${dir}/ctr.log`, want.map((l) => `2026-11-30T02:00:00.000000000+00:00 stdout F ${l}\n`).join(''));
    const got: string[] = [];
    for await (const e of readLogs(`${dir}/ctr.log`, {})) got.push(e.line.toString());
    assert.deepEqual(got, want);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ctl resize messages: one line, bounds checked', () => {
  assert.equal(resizeMessage(40, 120), '1 40 120\n');
  assert.throws(() => resizeMessage(0, 80), /invalid terminal size 0x80/);
  // Docker's range: 1..65535
  assert.equal(resizeMessage(1, 65535), '1 1 65535\n');
  assert.equal(resizeMessage(2000, 300), '1 2000 300\n');
  assert.throws(() => resizeMessage(24, 65536), /1\.\.65535/);
});

test('spec: standard mounts, namespaces by network mode, masked paths, caps, rlimit within the hard limit', () => {
  const s = generateSpec({ rootfs: '/r', process: { args: ['sh'], terminal: true, consoleSize: { rows: 30, cols: 100 } }, network: 'none', nofileHard: 4096, binds: [{ source: '/h', destination: '/c', readOnly: true }] });
  assert.deepEqual(s.mounts.map((m) => m.destination).slice(0, 6), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']);
  assert.deepEqual(s.mounts.at(-1), { destination: '/c', type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'ro'] });
  const ns = (s.linux.namespaces as Array<{ type: string }>).map((n) => n.type);
  assert.ok(ns.includes('network'));
  assert.ok(!(generateSpec({ rootfs: '/r', process: { args: ['sh'] }, network: 'host' }).linux.namespaces as Array<{ type: string }>).some((n) => n.type === 'network'));
  assert.ok((s.linux.maskedPaths as string[]).includes('/proc/kcore'));
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }]);
  assert.deepEqual(s.process.consoleSize, { height: 30, width: 100 });
  assert.ok(s.process.env.some((e) => e.startsWith('PATH=')) && s.process.env.includes('TERM=xterm'));
  const nonRoot = processSpec({ args: ['id'], uid: 1000 });
  assert.deepEqual((nonRoot.capabilities as { effective: string[] }).effective, [], 'no effective caps for non-root');
  assert.deepEqual((nonRoot.capabilities as { bounding: string[] }).bounding, DEFAULT_CAPS);
});

test('signals: names, numbers, SIG prefix; harmless ones do not count as stops', () => {
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('SIGKILL'), 9);
  assert.equal(parseSignal('28'), 28);
  assert.equal(parseSignal(undefined), 15);
  assert.throws(() => parseSignal('NOPE'), /invalid signal "NOPE"/);
  assert.throws(() => parseSignal('99'), /invalid signal/);
  assert.equal(terminates(28), false);
  assert.equal(terminates(15), true);
});

test('client short names: the expansion docker clients add is stripped; registries Pier uses are kept', async () => {
  const { clientShortName } = await import('../../electron/engine/images/reference');
  assert.equal(clientShortName('hub.example/library/busybox', ''), 'busybox');
  assert.equal(clientShortName('127.0.0.1:5000/library/busybox', ''), '127.0.0.1:5000/library/busybox');
  assert.equal(clientShortName('localhost.localdomain/library/x', ''), 'localhost.localdomain/library/x');
  assert.equal(clientShortName('hub.example/me/app:1', 'hub.example'), 'me/app:1');
  assert.equal(clientShortName('hub.example/library/x:2', 'hub.example'), 'x:2');
  assert.equal(clientShortName('pier-test/busybox:latest', ''), 'pier-test/busybox:latest');
  assert.equal(clientShortName('hub.example/me/app:1', ''), 'me/app:1');
  assert.equal(clientShortName('registry.example/app:1', ''), 'registry.example/app:1');
});
