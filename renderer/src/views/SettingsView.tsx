// Settings of this window (stored in the browser profile, not in the engine).
import { useSettings } from '../store/settings';

export function SettingsView() {
  const sr = useSettings((s) => s.screenReaderMode);
  return (
    <div className="page">
      <h1>Settings</h1>
      <section aria-labelledby="settings-a11y">
        <h2 id="settings-a11y">Accessibility</h2>
        <label className="check setting">
          <input
            type="checkbox"
            checked={sr}
            onChange={(e) => useSettings.getState().set({ screenReaderMode: e.target.checked })}
            name="screenReaderMode"
            aria-describedby="settings-sr-hint"
          />
          Terminal screen reader mode
        </label>
        <p className="muted small" id="settings-sr-hint">
          Terminals keep an accessible copy of their rows and announce new output to screen readers. Applies to open
          terminals at once. In a terminal, F6 moves the focus out of it (Tab goes to the program running there).
        </p>
      </section>
    </div>
  );
}
