// Test hook (only with window.__PIER_TEST__): the zustand stores, read-only use in tests.
import { useContainers } from '../store/containers';
import { useImages } from '../store/images';
import { useCheckpoints } from '../store/checkpoints';
import { useSessions } from '../store/sessions';
import { useUi } from '../store/ui';

export function exposeStores(): void {
  if (!window.__PIER_TEST__) return;
  (window as unknown as { __pierStores: unknown }).__pierStores = { containers: useContainers, images: useImages, checkpoints: useCheckpoints, sessions: useSessions, ui: useUi };
}
