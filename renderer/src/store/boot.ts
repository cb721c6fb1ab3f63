// Wires engine events into the stores and loads the initial lists. After a reconnect
// the lists are fetched again (events may have been missed), never per event.
import { api } from '../api/client';
import { useContainers } from './containers';
import { useNetworks } from './networks';
import { useImages } from './images';
import { useCheckpoints } from './checkpoints';
import { useSessions } from './sessions';
import { useUi } from './ui';
import { useVolumes } from './volumes';
import { useBuilds } from './builds';

export async function loadAll(): Promise<void> {
  const c = api();
  try { useContainers.getState().setAll(await c.call('containers.list', {})); }
  catch (e) { useContainers.getState().setLoadError((e as Error).message); }
  c.call('sessions.list', {}).then((l) => useSessions.getState().adopt(l), () => undefined);
  void useImages.getState().refresh();
}

export function boot(): () => void {
  const c = api();
  const offEvents = c.onTopic('engine.event', (e) => {
    useContainers.getState().apply(e);
    useImages.getState().apply(e);
    useNetworks.getState().apply(e);
    useCheckpoints.getState().apply(e);
    useVolumes.getState().apply(e);
    useBuilds.getState().apply(e);
  });
  let wasClosed = false;
  const offState = c.onState((s) => {
    useUi.getState().setConnection(s);
    if (s === 'closed' || s === 'unauthorized') wasClosed = true;
    if (s === 'open' && wasClosed) { wasClosed = false; void loadAll(); }
  });
  void loadAll();
  return () => { offEvents(); offState(); };
}
