// Renderer logic without a DOM: the containers store (row-level updates), filters,
// the create form → contract params, command-line splitting, log buffer and search.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { useContainers, visibleIds, matches } from '../../renderer/src/store/containers.ts';
import { useImages } from '../../renderer/src/store/images.ts';
import { useSessions } from '../../renderer/src/store/sessions.ts';
import { toParams, emptyForm } from '../../renderer/src/lib/createForm.ts';
import { splitArgs, bytes, duration, ago } from '../../renderer/src/lib/format.ts';
import { LogBuffer, MAX_LINES, matchIndexes, filterLines, asText } from '../../renderer/src/lib/logBuffer.ts';
import type { ContainerSummary } from '../../electron/common/types.ts';
import { ApiError, createClient } from '../../renderer/src/api/client.ts';
import { bridgeTransport } from '../../renderer/src/api/transport.ts';
import { createPierApi } from '../../electron/preload/api.ts';

const mk = (i: number, o: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: `c${String(i).padStart(63, '0')}`, name: `n${i}`, image: 'busybox', command: 'sh', status: 'running', created: new Date(1_700_000_000_000 + i * 1000).toISOString(), pid: 1, terminal: true, stdin: true, labels: {}, ...o,
});

describe('containers store', () => {
  test('an event replaces only its container; other entries and the order keep their identity', () => {
    const list = Array.from({ length: 1000 }, (_, i) => mk(i));
    useContainers.getState().setAll(list);
    const before = useContainers.getState();
    assert.equal(before.order.length, 1000);
    assert.equal(before.order[0], mk(999).id, 'newest first');
    const changed = { ...mk(5), status: 'paused' as const };
    useContainers.getState().apply({ type: 'container', action: 'paused', id: changed.id, name: changed.name, container: changed, time: Date.now() });
    const after = useContainers.getState();
    assert.equal(after.order, before.order, 'order array unchanged (the list does not re-render)');
    assert.equal(after.byId[changed.id].status, 'paused');
    assert.notEqual(after.byId[changed.id], before.byId[changed.id]);
    for (const i of [0, 4, 6, 999]) assert.equal(after.byId[mk(i).id], before.byId[mk(i).id], `row ${i} untouched`);
    assert.equal(visibleIds(after, '', 'all'), after.order, 'no filter: the same array');
  });

  test('created adds at the top, removed drops it', () => {
    useContainers.getState().setAll([mk(1), mk(2)]);
    const n = mk(3);
    useContainers.getState().apply({ type: 'container', action: 'created', id: n.id, name: n.name, container: n, time: 0 });
    assert.deepEqual(useContainers.getState().order, [n.id, mk(2).id, mk(1).id]);
    useContainers.getState().apply({ type: 'container', action: 'removed', id: mk(2).id, name: 'n2', time: 0 });
    assert.deepEqual(useContainers.getState().order, [n.id, mk(1).id]);
    assert.equal(useContainers.getState().byId[mk(2).id], undefined);
  });

  test('filters by text (name, image, id prefix, command) and state', () => {
    const a = mk(1, { name: 'web', image: 'nginx', command: 'nginx -g daemon off;' });
    assert.ok(matches(a, 'WE', 'all'));
    assert.ok(matches(a, 'ngin', 'running'));
    assert.ok(matches(a, a.id.slice(0, 5), 'all'));
    assert.ok(!matches(a, 'db', 'all'));
    assert.ok(!matches(a, '', 'stopped'));
    assert.ok(matches({ ...a, status: 'created' }, '', 'stopped'));
    assert.ok(matches({ ...a, status: 'paused' }, '', 'paused'));
  });
});

describe('images and sessions stores', () => {
  test('pull progress is kept per task and per layer', () => {
    const ev = (o: object) => useImages.getState().apply({ type: 'progress', task: 't1', kind: 'pull', ref: 'r', status: 'downloading', time: 0, ...o } as never);
    ev({ layer: 'sha256:a', current: 10, total: 100 });
    ev({ layer: 'sha256:b', current: 5, total: 50 });
    ev({ layer: 'sha256:a', current: 100, total: 100, status: 'done' });
    ev({ status: 'done', done: true });
    const t = useImages.getState().pulls.t1;
    assert.equal(t.done, true);
    assert.deepEqual(Object.keys(t.layers), ['sha256:a', 'sha256:b']);
    assert.equal(t.layers['sha256:a'].status, 'done');
    assert.equal(t.layers['sha256:b'].current, 5);
  });

  test('adopts live engine sessions into their slots after a reload', () => {
    useSessions.getState().adopt([
      { id: 's1', kind: 'attach', container: 'c1', title: '', tty: true, rows: 24, cols: 80, alive: true },
      { id: 's2', kind: 'exec', container: 'c1', title: '', tty: true, rows: 24, cols: 80, alive: true },
      { id: 's3', kind: 'exec', container: 'c2', title: '', tty: true, rows: 24, cols: 80, alive: false },
      { id: 's4', kind: 'host', title: '', tty: true, rows: 24, cols: 80, alive: true },
    ]);
    const s = useSessions.getState().bySlot;
    assert.equal(s['attach:c1']?.id, 's1');
    assert.equal(s['shell:c1']?.id, 's2');
    assert.equal(s['shell:c2'], undefined);
    assert.equal(s.host?.id, 's4');
  });
});

describe('create form', () => {
  test('valid input becomes contract params', () => {
    const { params, errors } = toParams({ ...emptyForm('/srv/rootfs'), name: 'web-1', command: `sh -c "echo 'hi there'; sleep 1"`, env: 'A=1\n\nB=x=y', binds: '/data:/data:ro\n/tmp:/scratch', network: 'none' });
    assert.deepEqual(errors, {});
    assert.deepEqual(params, {
      image: '/srv/rootfs', name: 'web-1', cmd: ['sh', '-c', "echo 'hi there'; sleep 1"], env: ['A=1', 'B=x=y'], tty: true, openStdin: true, network: 'none',
      binds: [{ source: '/data', destination: '/data', readOnly: true }, { source: '/tmp', destination: '/scratch' }], start: true,
    });
  });

  test('every bad field is named before submit', () => {
    const { params, errors } = toParams({ ...emptyForm(''), name: '-bad', command: 'sh -c "unterminated', env: 'NOPE', binds: 'relative:/x' });
    assert.equal(params, undefined);
    assert.match(errors.image!, /Choose an image/);
    assert.match(errors.command!, /unterminated/);
    assert.match(errors.env!, /NAME=value/);
    assert.match(errors.binds!, /host\/path/);
    assert.match(toParams({ ...emptyForm('busybox'), name: '-bad' }).errors.name!, /letters, digits/);
  });

  test('volume picker rows become named volume mounts; bad rows are named', () => {
    const vol = (name: string, path: string, readOnly = false) => ({ name, path, readOnly });
    const ok = toParams({ ...emptyForm('busybox'), volumes: [vol('data', '/data'), vol('', ''), vol('cache', '/cache', true)] });
    assert.deepEqual(ok.errors, {});
    assert.deepEqual(ok.params?.volumes, [{ name: 'data', destination: '/data' }, { name: 'cache', destination: '/cache', readOnly: true }]);
    assert.match(toParams({ ...emptyForm('busybox'), volumes: [vol('../x', '/d')] }).errors.volumes!, /not a volume name/);
    assert.match(toParams({ ...emptyForm('busybox'), volumes: [vol('', '/d')] }).errors.volumes!, /choose a volume for \/d/);
    assert.match(toParams({ ...emptyForm('busybox'), volumes: [vol('v', 'data')] }).errors.volumes!, /absolute path/);
    assert.match(toParams({ ...emptyForm('busybox'), volumes: [vol('a', '/d'), vol('b', '/d')] }).errors.volumes!, /mounted twice/);
  });

  test('splitArgs handles quotes and escapes', () => {
    assert.deepEqual(splitArgs(`a "b c" 'd e' f\\ g ""`), ['a', 'b c', 'd e', 'f g', '']);
    assert.throws(() => splitArgs(`'x`), /unterminated/);
  });
});

describe('format and logs', () => {
  test('bytes and durations', () => {
    assert.equal(bytes(0), '0 B');
    assert.equal(bytes(1536), '1.5 KB');
    assert.equal(bytes(50 * 1024 * 1024), '50 MB');
    assert.equal(duration(59_000), '59s');
    assert.equal(duration(3_600_000 + 120_000), '1h 2m');
    // past two days in words, not "333d 0h"
    assert.equal(duration(3 * 86_400_000 + 5 * 3_600_000), '3 days');
    assert.equal(duration(20 * 86_400_000), '2 weeks');
    assert.equal(duration(333 * 86_400_000), '11 months');
    assert.equal(duration(800 * 86_400_000), '2 years');
  });

  test('relative times are words', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const at = (ms: number) => new Date(now - ms).toISOString();
    assert.equal(ago(at(5_000), now), 'just now');
    assert.equal(ago(at(5 * 60_000), now), '5 minutes ago');
    assert.equal(ago(at(3 * 3_600_000), now), '3 hours ago');
    assert.equal(ago(at(26 * 3_600_000), now), 'yesterday');
    assert.equal(ago(at(333 * 86_400_000), now), '11 months ago');
    assert.equal(ago(at(800 * 86_400_000), now), '2 years ago');
    assert.equal(ago(undefined, now), '–');
  });

  test('log buffer caps lines, search finds matches case-insensitively, download text has timestamps', () => {
    const b = new LogBuffer();
    b.push(Array.from({ length: MAX_LINES + 10 }, (_, i) => ({ time: `t${i}`, stream: i % 2 ? 'stderr' as const : 'stdout' as const, text: `line ${i}` })));
    assert.equal(b.lines.length, MAX_LINES);
    assert.equal(b.dropped, 10);
    assert.equal(b.lines[0].text, 'line 10');
    const small = [{ time: 't', stream: 'stdout' as const, text: 'Hello World' }, { time: 'u', stream: 'stderr' as const, text: 'oops hello' }];
    assert.deepEqual(matchIndexes(small, 'HELLO'), [0, 1]);
    assert.deepEqual(filterLines(small, 'stderr').map((l) => l.text), ['oops hello']);
    assert.equal(asText(small, true), 't O Hello World\nu E oops hello\n');
  });
});

describe('bridge errors', () => {
  test('a code from main reaches the renderer\'s ApiError through the bridge (envelope as data)', async () => {
    const bridge = createPierApi({
      invoke: async () => ({ ok: false, error: { code: 'EBUSY', message: 'container web is paused; unpause it first' } }),
      send: () => undefined, on: () => () => undefined, getPathForFile: () => '',
    });
    // contextBridge copies values; a structured clone is the same kind of copy
    const copied = { ...bridge, invoke: async (m: never, p: never) => structuredClone(await bridge.invoke(m, p)) };
    const client = createClient(bridgeTransport(copied));
    await assert.rejects(client.call('containers.stop', { id: 'web' }),
      (e: ApiError) => e instanceof ApiError && e.code === 'EBUSY' && /unpause it first/.test(e.message));
    await assert.rejects(client.call('containers.stop', { id: '../x' } as never), (e: ApiError) => e.code === 'EINVAL');
  });
});
