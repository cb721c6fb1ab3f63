// The layer rule (scripts/lint/layers.js) and the spawn rule (scripts/lint/spawn.js) fire: imports that cross a
// layer boundary, and process spawns outside electron/engine/runtime/, are planted in a scratch copy of the tree;
// ESLint, run with the repository's own config, must report each one (and nothing on the files as they are).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** [file planted in the scratch tree, its source, the expected message fragment (undefined: clean)] */
const plants: Array<[string, string, string | undefined]> = [
  [
    'electron/engine/planted.ts',
    "import { app } from 'electron';\nexport const a = app;\n",
    'engine may not import electron',
  ],
  [
    'electron/engine/images/planted.ts',
    "export { createWindow } from '../../main/window';\n",
    'engine may not import from main',
  ],
  [
    'electron/engine/planted-rpc.ts',
    "export const m = await import('../rpc/methods');\n",
    'engine may not import from rpc',
  ],
  [
    'electron/engine/planted-web.ts',
    "import type { WebServer } from '../web/server';\nexport type W = WebServer;\n",
    'engine may not import from web',
  ],
  [
    'electron/engine/planted-ui.ts',
    "export * from '../../renderer/src/store/ui';\n",
    'engine may not import from renderer',
  ],
  [
    'electron/common/planted.ts',
    "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    'common may not import the Node built-in',
  ],
  [
    'electron/common/planted-engine.ts',
    "import type { Engine } from '../engine/engine';\nexport type E = Engine;\n",
    'common may not import from engine',
  ],
  [
    'renderer/src/planted.ts',
    "import { Engine } from '../../electron/engine/engine';\nexport const e = Engine;\n",
    'renderer may not import from engine',
  ],
  [
    'renderer/src/planted-fs.ts',
    "import fs from 'fs';\nexport const f = fs;\n",
    'renderer may not import the Node built-in fs',
  ],
  [
    'electron/preload/planted.ts',
    "import { SHELL } from '../main/core/planted';\nexport const s = SHELL;\n",
    'preload may not import from main',
  ],
  [
    'electron/preload/planted-require.ts',
    "const ipc = require('../main/ipc');\nexport default ipc;\n",
    'preload may not import from main',
  ],
  [
    'electron/web/planted.ts',
    "import { BrowserWindow } from 'electron';\nexport const b = BrowserWindow;\n",
    'web may not import electron',
  ],
  // pier/spawn: only electron/engine/runtime/ starts processes
  [
    'electron/engine/images/planted-spawn.ts',
    "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
    'Process spawn outside electron/engine/runtime/: imports node:child_process',
  ],
  [
    'electron/main/core/planted-exec.ts',
    "export const cp = await import('child_process');\n",
    'Process spawn outside electron/engine/runtime/: imports child_process',
  ],
  [
    'electron/rpc/planted-require.ts',
    "const cp = require('node:child_process');\nexport default cp;\n",
    'Process spawn outside electron/engine/runtime/',
  ],
  [
    'electron/engine/checkpoint/planted-runc.ts',
    "import { run } from '../runtime/proc';\nexport const dump = (rt: { runtimePath: string }) => run(rt.runtimePath, ['checkpoint']);\n",
    'conmon and the OCI runtime are launched only by electron/engine/runtime/ (run(rt.runtimePath, …))',
  ],
  [
    'electron/engine/sessions/planted-conmon.ts',
    "import { spawnDetached } from '../runtime/proc';\nexport const c = (i: { conmon: { path: string } }) =>\n  spawnDetached(i.conmon.path, [], { env: {}, cwd: '/', fds: [] });\n",
    'conmon and the OCI runtime are launched only by electron/engine/runtime/ (spawnDetached(i.conmon.path, …))',
  ],
  // allowed edges stay quiet
  [
    'electron/engine/runtime/planted-ok.ts',
    "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
    undefined,
  ],
  [
    'electron/main/core/planted-type.ts',
    "import type { ChildProcess } from 'node:child_process';\nexport type C = ChildProcess;\n",
    undefined,
  ],
  [
    'electron/engine/images/planted-tool.ts',
    "import { run } from '../runtime/proc';\nexport const z = () => run('zstd', ['-V']);\n",
    undefined,
  ],
  [
    'electron/engine/planted-ok.ts',
    "import { z } from 'zod';\nimport type { MethodName } from '../common/contract';\nexport const s = z.string();\nexport type M = MethodName;\n",
    undefined,
  ],
  [
    'electron/main/planted-ok.ts',
    "import { app } from 'electron';\nimport type { Engine } from '../engine/engine';\nexport const a = app;\nexport type E = Engine;\n",
    undefined,
  ],
  [
    'renderer/src/planted-ok.ts',
    "import { methods } from '../../electron/common/contract';\nexport const m = methods;\n",
    undefined,
  ],
];

test('pier/layers and pier/spawn report every planted violation in a scratch copy, and only those', async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'pier-lint-'));
  try {
    for (const p of ['eslint.config.js', 'package.json', 'scripts/lint', 'electron', 'renderer/src']) {
      cpSync(path.join(repo, p), path.join(scratch, p), { recursive: true });
    }
    symlinkSync(path.join(repo, 'node_modules'), path.join(scratch, 'node_modules'));
    for (const [file, src] of plants) writeFileSync(path.join(scratch, file), src);

    const eslint = new ESLint({ cwd: scratch });
    const results = await eslint.lintFiles(plants.map(([f]) => f));
    for (const [file, , expected] of plants) {
      const r = results.find((x) => x.filePath === path.join(scratch, file));
      assert.ok(r, `${file} was linted`);
      const layer = r.messages.filter((m) => m.ruleId?.startsWith('pier/')).map((m) => m.message);
      if (expected)
        assert.ok(
          layer.some((m) => m.includes(expected)),
          `${file}: expected "${expected}", got ${JSON.stringify(layer)}`,
        );
      else
        assert.deepEqual(
          r.messages.map((m) => m.message),
          [],
          `${file} is allowed`,
        );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
