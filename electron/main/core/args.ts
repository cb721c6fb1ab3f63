// Command line and environment of the desktop app. Pure.
import { parseCloseToTray, type CloseToTray } from './close';

export interface ShellArgs {
  /** start to the tray, no window (`--hidden`; `--show` overrides it) */
  hidden: boolean;
  /** `--quit`: ask the running instance to quit (the desktop file's action where no tray exists); alone: exit */
  quit: boolean;
  root?: string;
  runroot?: string;
  socket?: string;
  /** Electron userData override (isolated profiles for tests) */
  userData?: string;
  /** don't serve the Docker API socket */
  noApi: boolean;
  /** what closing the window does (`--close-to-tray=auto|on|off`, PIER_CLOSE_TO_TRAY) */
  closeToTray: CloseToTray;
  /** `--engine local|system|/path/docker.sock` (or PIER_ENGINE): overrides the saved choice for this run */
  engine?: string;
}

const VALUE_FLAGS = { '--root': 'root', '--runroot': 'runroot', '--socket': 'socket', '--user-data-dir': 'userData' } as const;

export function parseShellArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): ShellArgs {
  const a: ShellArgs = { hidden: false, quit: false, noApi: false, closeToTray: parseCloseToTray(env.PIER_CLOSE_TO_TRAY) };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--hidden') a.hidden = true;
    else if (s === '--quit') a.quit = true;
    else if (s === '--no-api') a.noApi = true;
    else if (s.startsWith('--close-to-tray=')) a.closeToTray = parseCloseToTray(s.slice('--close-to-tray='.length));
    else if (s === '--engine' || s.startsWith('--engine=')) a.engine = s.includes('=') ? s.slice(9) : argv[++i];
    else {
      const eq = s.indexOf('=');
      const flag = eq > 0 ? s.slice(0, eq) : s;
      if (flag in VALUE_FLAGS) {
        const v = eq > 0 ? s.slice(eq + 1) : argv[++i];
        if (v && v.startsWith('/')) a[VALUE_FLAGS[flag as keyof typeof VALUE_FLAGS]] = v;
      }
    }
  }
  a.root ??= abs(env.PIER_ROOT);
  a.runroot ??= abs(env.PIER_RUNROOT);
  a.socket ??= abs(env.PIER_SOCKET);
  a.userData ??= abs(env.PIER_USER_DATA);
  if (!a.engine && env.PIER_ENGINE) a.engine = env.PIER_ENGINE;
  if (env.PIER_HIDDEN === '1') a.hidden = true;
  if (argv.includes('--show')) a.hidden = false;
  if (env.PIER_NO_API === '1') a.noApi = true;
  return a;
}
const abs = (v: string | undefined) => (v && v.startsWith('/') ? v : undefined);
