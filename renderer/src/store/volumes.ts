// Volumes: rows with sizes and the containers using them, refreshed on volume events and when containers
// come and go (their users change).
import { eventListStore } from './event-list';

export const useVolumes = eventListStore(
  'volumes.list',
  (e) =>
    (e.type === 'volume' && e.action !== 'mount' && e.action !== 'unmount') ||
    (e.type === 'container' && ['created', 'removed'].includes(e.action)),
);
