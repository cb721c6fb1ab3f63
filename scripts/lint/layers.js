// ESLint rule `pier/layers`: which layer may import which (DESIGN.md §2). The layer of a file
// is its folder; an import is checked by where it resolves, so `../../main/x` from the engine
// is caught however it is spelled. Bare specifiers are checked too: `electron` only in main and
// preload, Node built-ins nowhere a browser or the sandboxed preload runs.
// Do not relax a rule here to make an import pass: move the code to the layer it belongs to.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import spawn from './spawn.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folder prefix (repo-relative, POSIX) → layer; first match wins. */
export const LAYERS = [
  ['electron/common/', 'common'],
  ['electron/engine/', 'engine'],
  ['electron/rpc/', 'rpc'],
  ['electron/web/', 'web'],
  ['electron/main/', 'main'],
  ['electron/preload/', 'preload'],
  ['electron/cli', 'cli'],
  ['renderer/src/', 'renderer'],
  ['native/', 'native'],
];

/** The other layers each layer may import (its own is always allowed). */
export const MAY_IMPORT = {
  common: [],
  native: [],
  engine: ['common', 'native'],
  rpc: ['engine', 'common'],
  web: ['rpc', 'engine', 'common'],
  cli: ['web', 'rpc', 'engine', 'common'],
  main: ['rpc', 'engine', 'common'],
  preload: ['common'],
  renderer: ['common'],
};

/** Layers that may not use Node built-ins (they run in a browser or the sandboxed preload). */
const NO_NODE = new Set(['common', 'renderer', 'preload']);
/** Layers that may import `electron`. */
const ELECTRON = new Set(['main', 'preload']);
/** npm packages `common` may use (it is loaded everywhere: keep it pure). */
const COMMON_PACKAGES = new Set(['zod']);

const builtins = new Set(builtinModules);

export function layerOf(absPath) {
  const rel = path.relative(ROOT, absPath).split(path.sep).join('/');
  for (const [prefix, layer] of LAYERS) if (rel.startsWith(prefix)) return layer;
  return undefined;
}

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** Why `spec` may not be imported from a file of layer `from` (undefined: allowed). */
export function violation(from, fileAbs, spec) {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const to = layerOf(path.resolve(path.dirname(fileAbs), spec));
    if (!to || to === from || MAY_IMPORT[from].includes(to)) return undefined;
    return `${from} may not import from ${to} (${spec})`;
  }
  const name = packageName(spec);
  if (name === 'electron') return ELECTRON.has(from) ? undefined : `${from} may not import electron`;
  const isNode = spec.startsWith('node:') || builtins.has(name);
  if (isNode) return NO_NODE.has(from) ? `${from} may not import the Node built-in ${spec}` : undefined;
  if (from === 'common' && !COMMON_PACKAGES.has(name))
    return `common may not import ${spec} (allowed: ${[...COMMON_PACKAGES]})`;
  return undefined;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layer rules of DESIGN.md §2' },
    schema: [],
    messages: { layer: 'Layer violation: {{why}}.' },
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from) return {};
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const why = violation(from, file, source.value);
      if (why) context.report({ node: source, messageId: 'layer', data: { why } });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source),
      TSImportType: (n) => check(n, n.argument?.literal ?? n.argument),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require') check(n, n.arguments[0]);
      },
    };
  },
};

export default { meta: { name: 'pier' }, rules: { layers: rule, spawn } };
