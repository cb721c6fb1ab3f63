// Shell arguments, notifications, quit message, and the layering rule (only adapters import electron).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseShellArgs } from '../../electron/main/core/args';
import { exitNotification, progressNotification } from '../../electron/main/core/notify';
import { quitMessage } from '../../electron/main/core/quit';
import { closeAction, closeExplanation, parseNameHasOwner, startHidden } from '../../electron/main/core/close';
import type { ContainerSummary, EngineEvent } from '../../electron/common/types';

test('args: --hidden, overrides (absolute only), env fallbacks', () => {
  assert.deepEqual(parseShellArgs([]), { hidden: false, quit: false, noApi: false, closeToTray: 'auto', root: undefined, runroot: undefined, socket: undefined, userData: undefined });
  const a = parseShellArgs(['.', '--hidden', '--root', '/tmp/r', '--runroot=/tmp/rr', '--socket', 'rel.sock', '--no-api']);
  assert.equal(a.hidden, true);
  assert.equal(a.root, '/tmp/r');
  assert.equal(a.runroot, '/tmp/rr');
  assert.equal(a.socket, undefined, 'relative paths ignored');
  assert.equal(a.noApi, true);
  const e = parseShellArgs([], { PIER_ROOT: '/e/root', PIER_HIDDEN: '1', PIER_USER_DATA: '/e/ud' });
  assert.deepEqual([e.root, e.hidden, e.userData], ['/e/root', true, '/e/ud']);
  assert.equal(parseShellArgs(['--root', '/cli'], { PIER_ROOT: '/env' }).root, '/cli');
  assert.equal(parseShellArgs(['--close-to-tray=off'], { PIER_CLOSE_TO_TRAY: 'on' }).closeToTray, 'off');
  assert.equal(parseShellArgs([], { PIER_CLOSE_TO_TRAY: 'on' }).closeToTray, 'on');
  assert.equal(parseShellArgs(['--close-to-tray=maybe']).closeToTray, 'auto');
  // the desktop file's actions (tray-less desktops): --show wins over --hidden, --quit asks the running Pier to quit
  assert.equal(parseShellArgs(['--hidden', '--show']).hidden, false);
  assert.equal(parseShellArgs(['--show'], { PIER_HIDDEN: '1' }).hidden, false);
  assert.equal(parseShellArgs(['/opt/Pier/pier', '--quit']).quit, true);
});

test('close to tray only where a tray host exists; --hidden only where the tray is a way back', () => {
  const host = { created: true, host: true }, noHost = { created: true, host: false }, unknown = { created: true, host: undefined };
  const noTray = { created: false, host: true };
  assert.equal(closeAction('auto', host), 'hide');
  assert.equal(closeAction('auto', noHost), 'quit', 'stock GNOME: an invisible tray is no way back');
  assert.equal(closeAction('auto', unknown), 'quit');
  assert.equal(closeAction('on', noHost), 'hide', 'the user knows their desktop');
  assert.equal(closeAction('on', noTray), 'quit', 'no Tray object at all');
  assert.equal(closeAction('off', host), 'quit');
  assert.equal(startHidden(true, 'hide'), true);
  assert.equal(startHidden(true, 'quit'), false);
  assert.equal(startHidden(false, 'hide'), false);
  assert.match(closeExplanation('auto', noHost), /no tray host .*quits .*--close-to-tray=on/);
  assert.match(closeExplanation('auto', host), /keeps Pier running in the tray/);
  // gdbus and dbus-send answers to NameHasOwner
  assert.equal(parseNameHasOwner('(true,)\n'), true);
  assert.equal(parseNameHasOwner('(false,)\n'), false);
  assert.equal(parseNameHasOwner('method return time=1 sender=org.freedesktop.DBus\n   boolean true\n'), true);
  assert.equal(parseNameHasOwner('   boolean false\n'), false);
  assert.equal(parseNameHasOwner('Error: no bus'), undefined);
});

const summary = (o: Partial<ContainerSummary> = {}): ContainerSummary => ({ id: 'abc123abc123abc1', name: 'web', image: 'busybox', command: 'sh', status: 'exited', created: '', pid: 0, terminal: false, stdin: false, labels: {}, ...o });
const exited = (o: Partial<Extract<EngineEvent, { type: 'container' }>> = {}): EngineEvent => ({ type: 'container', action: 'exited', id: 'abc123abc123abc1', name: 'web', time: 1, ...o });

test('notifications: unexpected non-zero exits only', () => {
  const n = exitNotification(exited({ exitCode: 3, container: summary({ exitCode: 3, unexpectedExit: true }) }))!;
  assert.equal(n.title, 'web stopped');
  assert.equal(n.body, 'Container web exited with code 3.');
  assert.deepEqual(n.target, { view: 'logs', id: 'abc123abc123abc1' });
  assert.match(exitNotification(exited({ exitCode: 137 }))!.body, /killed by signal 9/);
  assert.equal(exitNotification(exited({ exitCode: 0 })), undefined, 'clean exit');
  assert.equal(exitNotification(exited({ exitCode: 143, container: summary({ unexpectedExit: false }) })), undefined, 'stopped by the user (engine says so)');
  assert.equal(exitNotification(exited({ exitCode: 1 }), new Set(['abc123abc123abc1'])), undefined, 'stopped from this shell');
  assert.equal(exitNotification({ type: 'container', action: 'started', id: 'a', name: 'a', time: 1 }), undefined);
});

test('notifications: long actions finishing while hidden', () => {
  const done: EngineEvent = { type: 'progress', task: 't', kind: 'pull', ref: 'busybox', status: 'done', done: true, time: 1 };
  assert.equal(progressNotification(done, true), undefined, 'window visible: the UI shows it');
  assert.deepEqual(progressNotification(done, false), { title: 'Pull finished', body: 'busybox', target: { view: 'containers' }, urgency: 'normal' });
  const failed: EngineEvent = { ...done, kind: 'checkpoint', error: 'criu failed: see log' } as EngineEvent;
  assert.equal(progressNotification(failed, false)!.title, 'Checkpoint failed');
  assert.equal(progressNotification({ ...done, done: false } as EngineEvent, false), undefined);
});

test('quit says containers keep running, naming them', () => {
  const m = quitMessage([summary({ name: 'web', status: 'running' }), summary({ name: 'db', status: 'paused' }), summary({ name: 'old', status: 'exited' })]);
  assert.equal(m.live, 2);
  assert.equal(m.body, '2 containers keep running: web, db. Pier picks them up again at next start.');
  assert.equal(quitMessage([]).live, 0);
  assert.match(quitMessage(Array.from({ length: 7 }, (_, i) => summary({ name: `c${i}`, status: 'running' }))).body, /and 2 more/);
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => { const p = path.join(dir, n); return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|mjs)$/.test(n) ? [p] : []; });
}
const importsElectron = (p: string) => /(from\s+|import\s*\(\s*|require\(\s*)['"]electron['"]/.test(readFileSync(p, 'utf8'));

test('layers: only the thin adapters import electron', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const adapters = new Set(['index.ts', 'window.ts', 'tray.ts', 'ipc.ts', 'protocol.ts', 'hardening.ts', 'archives.ts', 'notifier.ts', 'pty-launcher.ts'].map((f) => path.join(root, 'electron/main', f)));
  adapters.add(path.join(root, 'electron/preload/index.ts'));
  const main = [...files(path.join(root, 'electron/main')), ...files(path.join(root, 'electron/preload'))];
  for (const f of main) assert.equal(importsElectron(f), adapters.has(f), path.relative(root, f));
  for (const area of ['electron/common', 'electron/engine', 'electron/rpc', 'electron/web']) {
    let list: string[] = [];
    try { list = files(path.join(root, area)); } catch { continue; }
    for (const f of list) assert.equal(importsElectron(f), false, `${path.relative(root, f)} must not import electron`);
  }
});
