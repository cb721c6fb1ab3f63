// One shared ticking clock for uptimes: only the cells that show a duration re-render.
import { create } from 'zustand';

export const useClock = create<{ now: number }>()(() => ({ now: Date.now() }));
const tick = setInterval(() => useClock.setState({ now: Date.now() }), 5000);
// under Node (renderer unit tests) the clock must not keep the process alive
(tick as unknown as { unref?: () => void }).unref?.();
