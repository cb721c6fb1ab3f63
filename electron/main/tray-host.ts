// Asks the session bus whether a tray host (StatusNotifierWatcher) exists. Linux only;
// other platforms always show tray icons. Never throws: undefined when it cannot tell.
import { execFile } from 'node:child_process';
import { TRAY_WATCHER, parseNameHasOwner } from './core/close';

const ask = (bin: string, args: string[]): Promise<boolean | undefined> =>
  new Promise((resolve) => {
    execFile(bin, args, { timeout: 2000 }, (err, stdout) =>
      resolve(err ? undefined : parseNameHasOwner(String(stdout))),
    );
  });

export async function probeTrayHost(env: NodeJS.ProcessEnv = process.env): Promise<boolean | undefined> {
  if (process.platform !== 'linux') return true;
  if (!env.DBUS_SESSION_BUS_ADDRESS) return false;
  const viaGdbus = await ask('gdbus', [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.DBus',
    '--object-path',
    '/org/freedesktop/DBus',
    '--method',
    'org.freedesktop.DBus.NameHasOwner',
    TRAY_WATCHER,
  ]);
  if (viaGdbus !== undefined) return viaGdbus;
  return ask('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    `string:${TRAY_WATCHER}`,
  ]);
}
