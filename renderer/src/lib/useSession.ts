// Finds or opens the engine session for a slot (a container's Terminal or Shell tab,
// the host terminal). Re-uses a live one, so switching tabs/views keeps the session.
import { useCallback, useState } from 'react';
import type { SessionInfo } from '../../../electron/common/contract';
import { useSessions, type Slot } from '../store/sessions';

export function useSession(slot: Slot) {
  const info = useSessions((s) => s.bySlot[slot]);
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<string>();
  const open = useCallback(async (start: () => Promise<SessionInfo>) => {
    setOpening(true); setError(undefined);
    try { useSessions.getState().set(slot, await start()); }
    catch (e) { setError((e as Error).message); }
    finally { setOpening(false); }
  }, [slot]);
  const ended = useCallback((exitCode?: number) => {
    const cur = useSessions.getState().bySlot[slot];
    if (cur) useSessions.getState().set(slot, { ...cur, alive: false, exitCode });
  }, [slot]);
  const clear = useCallback(() => useSessions.getState().set(slot, undefined), [slot]);
  return { info, opening, error, open, ended, clear };
}

/** A first guess of the terminal size for creating a session; fit corrects it right after. */
export function guessSize(): { rows: number; cols: number } {
  const w = Math.max(400, window.innerWidth * 0.55), h = Math.max(300, window.innerHeight - 220);
  return { rows: Math.max(10, Math.floor(h / 17)), cols: Math.max(40, Math.floor(w / 7.8)) };
}
