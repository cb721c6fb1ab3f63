// Window-state persistence (pure + an injected fs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_STATE, MIN_SIZE, WindowStateStore, captureState, fitToDisplays, parseWindowState } from '../../electron/main/core/window-state';

const screen = [{ x: 0, y: 0, width: 1920, height: 1050 }];

test('parse: broken or missing state gives the default, never throws', () => {
  for (const t of [undefined, '', '{', 'null', '42', '"x"', '[]']) assert.deepEqual(parseWindowState(t), DEFAULT_STATE, String(t));
  assert.deepEqual(parseWindowState('{"width":"wide","height":700,"x":10}'), { width: DEFAULT_STATE.width, height: 700, maximized: false, fullScreen: false });
  assert.deepEqual(parseWindowState('{"x":10.4,"y":20,"width":1000,"height":700,"maximized":true}'), { x: 10, y: 20, width: 1000, height: 700, maximized: true, fullScreen: false });
});

test('fit: keeps a visible position, clamps size, centres when the display is gone', () => {
  assert.deepEqual(fitToDisplays({ x: 100, y: 50, width: 1000, height: 700, maximized: false, fullScreen: false }, screen), { x: 100, y: 50, width: 1000, height: 700, maximized: false, fullScreen: false });
  const off = fitToDisplays({ x: 3000, y: 50, width: 1000, height: 700, maximized: false, fullScreen: false }, screen);
  assert.equal(off.x, undefined, 'unplugged second monitor: centred');
  const tiny = fitToDisplays({ width: 10, height: 10, maximized: false, fullScreen: false }, screen);
  assert.deepEqual([tiny.width, tiny.height], [MIN_SIZE.width, MIN_SIZE.height]);
  const huge = fitToDisplays({ width: 9000, height: 9000, maximized: true, fullScreen: false }, screen);
  assert.deepEqual([huge.width, huge.height, huge.maximized], [1920, 1050, true]);
  const titleOff = fitToDisplays({ x: 100, y: -20, width: 800, height: 600, maximized: false, fullScreen: false }, [{ x: 0, y: 0, width: 1920, height: 1050 }]);
  assert.equal(titleOff.x, 100, 'title bar partly visible is fine');
  const above = fitToDisplays({ x: 100, y: -590, width: 800, height: 600, maximized: false, fullScreen: false }, screen);
  assert.equal(above.x, undefined, 'mostly off-screen: centred');
  const second = fitToDisplays({ x: 2000, y: 100, width: 800, height: 600, maximized: false, fullScreen: false }, [...screen, { x: 1920, y: 0, width: 1280, height: 1000 }]);
  assert.equal(second.x, 2000);
});

test('store: save then load round-trips atomically; a corrupt file loads as default', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-ws-'));
  const file = path.join(dir, 'sub', 'window-state.json');
  const store = new WindowStateStore(file);
  assert.deepEqual(await store.load(), DEFAULT_STATE);
  const s = captureState({ x: 5, y: 6, width: 900, height: 650 }, true, false);
  await store.save(s);
  assert.deepEqual(await store.load(), s);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), s);
  assert.deepEqual(readdirSync(path.dirname(file)), ['window-state.json'], 'no temp file left');
  writeFileSync(file, '{"width": 12');
  assert.deepEqual(await store.load(), DEFAULT_STATE);
});
