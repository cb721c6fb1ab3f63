// openEngine: the Engine with every area attached (images + snapshots, sessions,
// checkpoints). Front ends call this; tests of one area may use Engine.open directly.
import { Engine, type EngineOptions } from './engine';

export async function openEngine(opts: Omit<EngineOptions, 'images'>): Promise<Engine> {
  const engine = await Engine.open(opts);
  return engine;
}
