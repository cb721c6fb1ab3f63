// ESLint rule `pier/spawn`: only `electron/engine/runtime/` starts processes (DESIGN.md §2, containerd's shim
// rule). Elsewhere `child_process` may be imported for its types only; the engine asks runtime/proc.ts for
// helper tools and the runtime interface (ConmonRuntime) for conmon and runc. Two shell files of the main process
// are allowed: they start the engine process and ask D-Bus for a tray host.
// Do not add a file to ALLOWED to make an import pass: give runtime/ the function it needs.

/** Repo-relative POSIX prefixes whose files may import child_process. */
export const ALLOWED = ['electron/engine/runtime/', 'electron/main/engine-select.ts', 'electron/main/tray-host.ts'];

/** Process-starting functions (runtime/proc.ts and Node's own), by the name they are called with. */
const SPAWNERS = new Set([
  'run',
  'runChecked',
  'runSyncChecked',
  'spawnPipe',
  'spawnDetached',
  'spawn',
  'spawnSync',
  'exec',
  'execSync',
  'execFile',
  'execFileSync',
  'fork',
]);
const RUNTIME_BINARIES = new Set(['runc', 'crun', 'conmon', 'criu']);

const relOf = (context) => {
  const cwd = context.cwd ?? context.getCwd();
  return context.filename
    .slice(cwd.length + 1)
    .split('\\')
    .join('/');
};
const isChildProcess = (v) => v === 'child_process' || v === 'node:child_process';

/** Whether a call's first argument names conmon or the OCI runtime (`x.runtimePath`, `x.conmon.path`, 'runc'). */
function namesRuntime(arg) {
  if (!arg) return false;
  if (arg.type === 'Literal') return RUNTIME_BINARIES.has(arg.value);
  if (arg.type !== 'MemberExpression' || arg.property.type !== 'Identifier') return false;
  if (arg.property.name === 'runtimePath') return true;
  const obj = arg.object;
  return (
    arg.property.name === 'path' &&
    obj.type === 'MemberExpression' &&
    obj.property.type === 'Identifier' &&
    ['conmon', 'runtime', 'criu'].includes(obj.property.name)
  );
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Only electron/engine/runtime/ starts processes' },
    schema: [],
    messages: {
      import:
        'Process spawn outside electron/engine/runtime/: {{what}} (use runtime/proc.ts or the runtime interface).',
      runtime: 'conmon and the OCI runtime are launched only by electron/engine/runtime/ ({{what}}).',
    },
  },
  create(context) {
    const rel = relOf(context);
    if (!rel.startsWith('electron/') || ALLOWED.some((p) => rel.startsWith(p))) return {};
    const importOf = (node, source, typeOnly) => {
      if (typeOnly || !source || source.type !== 'Literal' || !isChildProcess(source.value)) return;
      context.report({ node: source, messageId: 'import', data: { what: `imports ${source.value}` } });
    };
    return {
      ImportDeclaration: (n) =>
        importOf(
          n,
          n.source,
          n.importKind === 'type' || (n.specifiers.length > 0 && n.specifiers.every((s) => s.importKind === 'type')),
        ),
      ImportExpression: (n) => importOf(n, n.source, false),
      CallExpression: (n) => {
        const c = n.callee;
        if (c.type === 'Identifier' && c.name === 'require') return importOf(n, n.arguments[0], false);
        const name =
          c.type === 'Identifier'
            ? c.name
            : c.type === 'MemberExpression' && c.property.type === 'Identifier'
              ? c.property.name
              : '';
        if (SPAWNERS.has(name) && namesRuntime(n.arguments[0]))
          context.report({
            node: n,
            messageId: 'runtime',
            data: { what: `${name}(${context.sourceCode.getText(n.arguments[0])}, …)` },
          });
      },
    };
  },
};

export default rule;
