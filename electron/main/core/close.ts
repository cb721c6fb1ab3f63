// What closing the window does, and whether a tray can be seen at all. Pure.
//
// On Linux the tray is a StatusNotifierItem: it is shown only when a StatusNotifierWatcher
// owns its D-Bus name (KDE, most desktops; stock GNOME has none without an extension).
// Hiding into a tray nobody can see would leave no way back but launching Pier again, so
// "close to tray" is on only where a tray host was seen, unless the user says otherwise.

/** `--close-to-tray=auto|on|off` / PIER_CLOSE_TO_TRAY. auto: on where a tray host exists. */
export type CloseToTray = 'auto' | 'on' | 'off';

export function parseCloseToTray(v: string | undefined): CloseToTray {
  return v === 'on' || v === 'off' ? v : 'auto';
}

/** D-Bus name a tray host owns on Linux. */
export const TRAY_WATCHER = 'org.kde.StatusNotifierWatcher';

/** The answer of NameHasOwner as printed by `gdbus call` ("(true,)") or `dbus-send --print-reply` ("boolean true"). */
export function parseNameHasOwner(stdout: string): boolean | undefined {
  if (/\(true,?\)|boolean true/.test(stdout)) return true;
  if (/\(false,?\)|boolean false/.test(stdout)) return false;
  return undefined;
}

export interface TrayPresence {
  /** the Tray object was created */
  created: boolean;
  /** a tray host was seen (true), not found (false), or could not be asked (undefined) */
  host: boolean | undefined;
}

/** 'hide' keeps Pier running in the tray; 'quit' quits (containers keep running either way). */
export function closeAction(setting: CloseToTray, tray: TrayPresence): 'hide' | 'quit' {
  if (!tray.created || setting === 'off') return 'quit';
  if (setting === 'on') return 'hide';
  return tray.host === true ? 'hide' : 'quit';
}

/** `--hidden` is honoured only when the tray is a way back; otherwise the window is shown. */
export function startHidden(requested: boolean, action: 'hide' | 'quit'): boolean {
  return requested && action === 'hide';
}

/** What the shell says once at start about closing (stdout, System view). */
export function closeExplanation(setting: CloseToTray, tray: TrayPresence): string {
  const action = closeAction(setting, tray);
  if (action === 'hide') return 'closing the window keeps Pier running in the tray';
  if (!tray.created) return 'no tray: closing the window quits Pier (containers keep running)';
  if (setting === 'off') return 'close-to-tray is off: closing the window quits Pier (containers keep running)';
  const why =
    tray.host === false
      ? 'no tray host (StatusNotifierWatcher) on this desktop'
      : 'could not ask D-Bus for a tray host';
  return `${why}: closing the window quits Pier (containers keep running); --close-to-tray=on keeps it in the tray`;
}
