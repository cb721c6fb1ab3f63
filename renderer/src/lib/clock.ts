// One shared ticking clock for uptimes: only the cells that show a duration re-render.
import { create } from 'zustand';

export const useClock = create<{ now: number }>()(() => ({ now: Date.now() }));
setInterval(() => useClock.setState({ now: Date.now() }), 5000);
