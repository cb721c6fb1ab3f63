// User settings kept in this browser profile (localStorage 'pier.settings'); bad or missing
// values fall back to the defaults.
import { create } from 'zustand';

export interface Settings {
  /** xterm's screen reader mode: an accessible DOM mirror of the terminal's rows, output announced */
  screenReaderMode: boolean;
}

const KEY = 'pier.settings';
const DEFAULTS: Settings = { screenReaderMode: false };

export function parseSettings(raw: string | null): Settings {
  try {
    const v = JSON.parse(raw ?? '{}') as Partial<Record<keyof Settings, unknown>>;
    return {
      screenReaderMode: typeof v.screenReaderMode === 'boolean' ? v.screenReaderMode : DEFAULTS.screenReaderMode,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

function load(): Settings {
  try {
    return parseSettings(localStorage.getItem(KEY));
  } catch {
    return { ...DEFAULTS };
  }
}

export interface SettingsState extends Settings {
  set(patch: Partial<Settings>): void;
}

export const useSettings = create<SettingsState>()((set, get) => ({
  ...load(),
  set(patch) {
    set(patch);
    const { screenReaderMode } = get();
    try {
      localStorage.setItem(KEY, JSON.stringify({ screenReaderMode }));
    } catch {
      /* storage off: this session only */
    }
  },
}));
