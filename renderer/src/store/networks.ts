// Networks: the list (with each network's live containers), refreshed on network events and
// on container starts/exits (endpoints come and go with them).
import { eventListStore } from './event-list';

export const useNetworks = eventListStore(
  'networks.list',
  (e) => e.type === 'network' || (e.type === 'container' && ['started', 'exited', 'removed'].includes(e.action)),
);
