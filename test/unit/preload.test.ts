// window.pier as generated from the contract (pure api.ts with a fake ipcRenderer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPierApi, type PreloadIpc } from '../../electron/preload/api';
import { BridgeError, unwrap, type Envelope } from '../../electron/common/bridge';
import { methods } from '../../electron/common/contract';
import { INVOKE_CHANNELS, PUSH, PUSH_CHANNELS, RPC_CHANNELS, SEND_CHANNELS, SHELL, compactPush, methodOfChannel, rpcChannel } from '../../electron/common/channels';

function fakeIpc(reply: (channel: string, arg: unknown) => unknown = () => ({ ok: true, result: 'r' })) {
  const invoked: Array<[string, unknown]> = [];
  const sent: Array<[string, unknown]> = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const ipc: PreloadIpc = {
    invoke: async (ch, arg) => { invoked.push([ch, arg]); return reply(ch, arg); },
    send: (ch, arg) => { sent.push([ch, arg]); },
    on: (ch, fn) => { if (!listeners.has(ch)) listeners.set(ch, new Set()); listeners.get(ch)!.add(fn); return () => listeners.get(ch)!.delete(fn); },
    getPathForFile: () => '/home/u/cp.tar.gz',
  };
  // the real preload wraps (event, payload) → payload; the fake emits what main sends
  const emit = (ch: string, payload: unknown) => { for (const fn of listeners.get(ch) ?? []) fn(payload); };
  return { ipc, invoked, sent, emit, listeners };
}

test('one invoke channel per contract method, and nothing else', () => {
  const names = Object.keys(methods);
  assert.equal(RPC_CHANNELS.length, names.length);
  for (const m of names) assert.ok(INVOKE_CHANNELS.includes(`rpc:${m}`), m);
  assert.equal(methodOfChannel('rpc:containers.list'), 'containers.list');
  assert.equal(methodOfChannel('rpc:__proto__'), undefined);
  assert.equal(methodOfChannel('rpc:constructor'), undefined);
  assert.equal(methodOfChannel('containers.list'), undefined);
  assert.deepEqual([...SEND_CHANNELS], [SHELL.startDrag]);
  assert.ok(!INVOKE_CHANNELS.includes(SHELL.startDrag), 'drag is fire-and-forget (send), not invoke');
  assert.deepEqual([...PUSH_CHANNELS].sort(), Object.values(PUSH).sort());
});

test('stream chunks that are views into a bigger buffer are copied before crossing IPC', () => {
  const pool = Buffer.alloc(8192, 65);
  const view = new Uint8Array(pool.buffer, pool.byteOffset + 100, 20);
  const m = compactPush({ t: 'stream', kind: 'session', payload: { session: 's', data: view } });
  const d = (m.payload as { data: Uint8Array }).data;
  assert.equal(d.buffer.byteLength, 20);
  assert.deepEqual([...d], [...view]);
  const own = new Uint8Array(5);
  const same = { t: 'stream', kind: 'session', payload: { session: 's', data: own } };
  assert.equal(compactPush(same), same, 'exact buffers pass as they are');
  const ev = { t: 'event', topic: 'engine.event', payload: { type: 'x' } };
  assert.equal(compactPush(ev), ev);
});

test('invoke: valid calls go to rpc:<method> with the parsed params; results come back as envelopes', async () => {
  const f = fakeIpc((ch) => ({ ok: true, result: ch === rpcChannel('containers.list') ? [{ id: 'a' }] : null }));
  const api = createPierApi(f.ipc);
  assert.deepEqual(await api.invoke('containers.list', {}), { ok: true, result: [{ id: 'a' }] });
  await api.invoke('containers.stop', { id: 'web', timeout: 3 });
  assert.deepEqual(f.invoked, [['rpc:containers.list', {}], ['rpc:containers.stop', { id: 'web', timeout: 3 }]]);
  assert.deepEqual([...api.methods].sort(), Object.keys(methods).sort());
});

test('unknown methods and malformed params never reach IPC', async () => {
  const f = fakeIpc();
  const api = createPierApi(f.ipc);
  const bad: Array<[string, unknown, RegExp]> = [
    ['containers.destroyEverything', {}, /unknown method/],
    ['__proto__', {}, /unknown method/],
    ['containers.stop', { id: '../../etc' }, /invalid id/],
    ['containers.stop', { id: 'web', extra: 1 }, /invalid/],
    ['sessions.write', { session: 'x', data: 'a'.repeat(40000) }, /invalid data/],
    ['images.load', { path: 'relative.tar' }, /invalid path/],
  ];
  for (const [m, p, re] of bad) {
    const r = await api.invoke(m as 'containers.list', p as never);
    assert.ok(!r.ok, m);
    assert.match(r.error.message, re, m);
    assert.match(r.error.code, /^E[A-Z]+$/, m);
  }
  assert.equal(f.invoked.length, 0);
});

test('errors cross the bridge as data: {code, message} survive (no rejection for contextBridge to flatten)', async () => {
  const api = createPierApi(fakeIpc(() => ({ ok: false, error: { code: 'EBUSY', message: 'container web is paused; unpause it first' } })).ipc);
  const r = await api.invoke('containers.stop', { id: 'web' });
  // what the page receives is plain data: a structured clone keeps every field
  assert.deepEqual(structuredClone(r), { ok: false, error: { code: 'EBUSY', message: 'container web is paused; unpause it first' } });
  assert.throws(() => unwrap(r), (e: BridgeError) => e instanceof BridgeError && e.code === 'EBUSY' && /unpause it first/.test(e.message));
  const malformed = await createPierApi(fakeIpc(() => undefined).ipc).invoke('containers.list', {});
  assert.deepEqual(malformed, { ok: false, error: { code: 'EIPC', message: 'malformed reply from the main process' } });
  const failing = fakeIpc();
  failing.ipc.invoke = () => Promise.reject(new Error('Error invoking remote method \'rpc:containers.list\': boom'));
  const lost = await createPierApi(failing.ipc).invoke('containers.list', {}) as Envelope<unknown>;
  assert.equal(!lost.ok && lost.error.code, 'EIPC');
});

test('on(topic) delivers payload only, filters by topic, unsubscribes; unknown topics refused', () => {
  const f = fakeIpc();
  const api = createPierApi(f.ipc);
  const got: unknown[] = [];
  const off = api.on('engine.event', (p) => got.push(p));
  f.emit(PUSH.message, { t: 'event', topic: 'engine.event', payload: { type: 'container', action: 'started', id: 'a' } });
  f.emit(PUSH.message, { t: 'stream', kind: 'session', payload: { session: 's', data: new Uint8Array([1]) } });
  f.emit(PUSH.message, { t: 'event', topic: 'other', payload: 1 });
  assert.deepEqual(got, [{ type: 'container', action: 'started', id: 'a' }]);
  off();
  f.emit(PUSH.message, { t: 'event', topic: 'engine.event', payload: 2 });
  assert.equal(got.length, 1);
  assert.throws(() => api.on('ipc.raw' as 'engine.event', () => undefined), /unknown topic/);
  assert.throws(() => api.onStream('files' as 'session', () => undefined), /unknown stream kind/);
  const chunks: unknown[] = [];
  api.onStream('session', (p) => chunks.push(p));
  f.emit(PUSH.message, { t: 'stream', kind: 'session', payload: { session: 's', end: true } });
  assert.deepEqual(chunks, [{ session: 's', end: true }]);
});

test('startDrag sends only the archive id (fire-and-forget); a path throws synchronously', () => {
  const f = fakeIpc();
  const api = createPierApi(f.ipc);
  api.startDrag('cp-123');
  assert.deepEqual(f.sent, [[SHELL.startDrag, { archive: 'cp-123' }]]);
  assert.throws(() => api.startDrag('/var/lib/pier/checkpoints/cp.tar.gz'), /archive id/);
  assert.equal(f.sent.length, 1);
  assert.equal(api.getPathForFile({} as File), '/home/u/cp.tar.gz');
});

test('shell calls are validated too: drop needs absolute paths, export an id', async () => {
  const f = fakeIpc(() => ({ ok: true, result: [] }));
  const api = createPierApi(f.ipc);
  await api.drop(['/home/u/cp.tar.gz']);
  const message = (e: Envelope<unknown>) => (e.ok ? '' : e.error.message);
  assert.match(message(await api.drop(['cp.tar.gz'])), /absolute path/);
  assert.match(message(await api.drop([])), /invalid paths/);
  assert.match(message(await api.exportArchive('../x')), /archive id/);
  await api.exportArchive('cp-1');
  assert.deepEqual(f.invoked.map((x) => x[0]), [SHELL.drop, SHELL.exportArchive]);
});

test('the preload entry exposes exactly one global and strips the IpcRendererEvent', () => {
  const src = readFileSync(new URL('../../electron/preload/index.ts', import.meta.url), 'utf8');
  assert.equal((src.match(/exposeInMainWorld\(/g) ?? []).length, 1);
  assert.match(src, /exposeInMainWorld\('pier', createPierApi\(ipc\)\)/);
  assert.match(src, /\(_e: IpcRendererEvent, payload: unknown\) => listener\(payload\)/);
  assert.doesNotMatch(src, /exposeInMainWorld\([^)]*ipcRenderer/);
});

test('the built preload (out/preload/index.cjs) runs in a sandbox-like context needing only electron', async (t) => {
  const { existsSync, statSync } = await import('node:fs');
  const vm = await import('node:vm');
  const file = new URL('../../out/preload/index.cjs', import.meta.url);
  if (!existsSync(file)) { t.skip('out/preload not built: run `npx electron-vite build` first'); return; }
  const srcs = ['../../electron/preload/index.ts', '../../electron/preload/api.ts', '../../electron/common/channels.ts', '../../electron/common/contract.ts'];
  if (srcs.some((s) => statSync(new URL(s, import.meta.url)).mtimeMs > statSync(file).mtimeMs)) { t.skip('out/preload is older than its sources: run `npx electron-vite build`'); return; }

  const exposed: Record<string, unknown> = {};
  const invoked: Array<[string, unknown]> = [];
  const sent: Array<[string, unknown]> = [];
  const listeners = new Map<string, (e: unknown, p: unknown) => void>();
  const windowListeners: string[] = [];
  const fakeElectron = {
    contextBridge: { exposeInMainWorld: (k: string, v: unknown) => { exposed[k] = v; } },
    ipcRenderer: {
      invoke: async (ch: string, arg: unknown) => { invoked.push([ch, arg]); return { ok: true, result: ch }; },
      send: (ch: string, arg: unknown) => { sent.push([ch, arg]); },
      on: (ch: string, fn: (e: unknown, p: unknown) => void) => { listeners.set(ch, fn); },
      removeListener: (ch: string) => { listeners.delete(ch); },
    },
    webUtils: { getPathForFile: () => '/dropped/cp.tar.gz' },
  };
  const required: string[] = [];
  const sandbox = {
    require: (m: string) => { required.push(m); if (m === 'electron') return fakeElectron; throw new Error(`module not found: ${m} (sandboxed preload)`); },
    module: { exports: {} }, exports: {},
    window: { addEventListener: (ev: string) => { windowListeners.push(ev); } },
    console, TextEncoder, TextDecoder, URL, setTimeout, clearTimeout, queueMicrotask,
  };
  vm.runInNewContext(readFileSync(file, 'utf8'), sandbox, { filename: 'index.cjs' });
  assert.deepEqual(required, ['electron']);
  assert.deepEqual(Object.keys(exposed), ['pier']);
  assert.deepEqual(windowListeners.sort(), ['dragover', 'drop']);
  const pier = exposed.pier as import('../../electron/common/bridge').PierBridge;
  assert.equal(unwrap(await pier.invoke('containers.list', {})), 'rpc:containers.list');
  const refused = await pier.invoke('nope' as 'containers.list', {});
  assert.throws(() => unwrap(refused), /unknown method/);
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v)); // objects from the vm realm have other prototypes
  assert.deepEqual(plain(invoked), [['rpc:containers.list', {}]]);
  const got: unknown[] = [];
  pier.on('engine.event', (p) => got.push(p));
  listeners.get('push:message')!({ sender: 'IPC-RENDERER-LEAK' }, { t: 'event', topic: 'engine.event', payload: { ok: 1 } });
  assert.deepEqual(plain(got), [{ ok: 1 }]);
  pier.startDrag('cp-9');
  assert.deepEqual(plain(sent), [['shell:start-drag', { archive: 'cp-9' }]]);
  assert.equal(pier.getPathForFile({} as File), '/dropped/cp.tar.gz');
});
