// The tray (StatusNotifierItem on Linux): an icon per state and a menu rebuilt from the
// containers list on each change (debounced). The menu is built as data (core/tray-menu)
// and converted here; clicks route to the shell's actions.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { ContainerSummary } from '../common/types';
import { buildTrayMenu, trayIconState, trayTooltip, type TrayAction, type TrayContext, type TrayIconState, type TrayItem } from './core/tray-menu';
import { debounce, type Debounced } from './core/debounce';
import { asset } from './paths';

export interface TrayDeps {
  containers: () => ContainerSummary[];
  busy: () => ReadonlySet<string>;
  engineError: () => string | undefined;
  checkpointSupported: () => boolean;
  /** the engine in use, for the Engine submenu */
  engine?: () => TrayContext['engine'];
  onAction: (a: TrayAction) => void;
}

export function toElectronMenu(items: readonly TrayItem[], onAction: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((i) => {
    const o: MenuItemConstructorOptions = {};
    if (i.id) o.id = i.id;
    if (i.label !== undefined) o.label = i.label;
    if (i.type) o.type = i.type;
    if (i.enabled !== undefined) o.enabled = i.enabled;
    if (i.toolTip) o.toolTip = i.toolTip;
    if (i.submenu) o.submenu = toElectronMenu(i.submenu, onAction);
    const action = i.action;
    if (action) o.click = () => onAction(action);
    return o;
  });
}

export class PierTray {
  private tray?: Tray;
  template: TrayItem[] = [];
  state: TrayIconState = 'idle';
  rebuilds = 0;
  readonly schedule: Debounced;

  constructor(private d: TrayDeps) {
    this.schedule = debounce(() => this.rebuild(), 150, 1000);
  }

  create(): void {
    this.tray = new Tray(this.icon('idle'));
    this.tray.setToolTip('Pier');
    this.rebuild();
  }

  private icon(s: TrayIconState) {
    return nativeImage.createFromPath(asset('tray', `${s}.png`));
  }

  rebuild(): void {
    const list = this.d.containers();
    const busy = this.d.busy();
    const ctx = { busy, engineError: this.d.engineError(), checkpointSupported: this.d.checkpointSupported(), engine: this.d.engine?.() };
    this.template = buildTrayMenu(list, ctx);
    this.rebuilds++;
    const state = ctx.engineError ? 'idle' : trayIconState(list, busy);
    if (!this.tray || this.tray.isDestroyed()) return;
    if (state !== this.state) { this.state = state; this.tray.setImage(this.icon(state)); }
    this.state = state;
    this.tray.setToolTip(trayTooltip(list, ctx));
    // rebuild and set again rather than mutate (menus are immutable once shown on Linux)
    this.tray.setContextMenu(Menu.buildFromTemplate(toElectronMenu(this.template, this.d.onAction)));
  }

  destroy(): void {
    this.schedule.cancel();
    this.tray?.destroy();
    this.tray = undefined;
  }
}
