// Image events, published the same way whoever asked (Docker API, UI/RPC, commit, build): the Images view
// refreshes on any of them and `docker events` shows them in dockerd's shapes (api/events.ts).
import type { EventBus } from '../events';
import type { ImageRecord } from './index';

type Img = Pick<ImageRecord, 'id' | 'config'>;
export type ImageAction = 'pulled' | 'loaded' | 'tagged' | 'untagged' | 'removed';

function labels(img: Img): Record<string, string> {
  return { ...(img.config?.config?.Labels ?? {}) };
}

/** One event for `img`; `ref` is the name pulled or tagged. A deleted image's event carries no labels (dockerd). */
export function imageEvent(bus: EventBus, action: ImageAction, img: Img, ref?: string): void {
  bus.publish({ type: 'image', action, id: img.id, ...(ref ? { ref } : {}), ...(action === 'removed' ? {} : { labels: labels(img) }) });
}

/** A removal's events: an untag per name it lost, then a delete if the image itself went. */
export function removalEvents(bus: EventBus, img: Img, r: { untagged: string[]; deleted: string[] }): void {
  for (let i = 0; i < r.untagged.length; i++) imageEvent(bus, 'untagged', img);
  if (r.deleted.includes(img.id)) imageEvent(bus, 'removed', img);
}

/** A prune: each image's removal events (images as they were before), then one `prune` with the bytes reclaimed. */
export function pruneEvents(bus: EventBus, before: ImageRecord[], r: { deleted: string[]; spaceReclaimed: number }): void {
  for (const img of before) {
    if (r.deleted.includes(img.id)) removalEvents(bus, img, { untagged: img.repoTags, deleted: [img.id] }); // one untag per tag, as dockerd
  }
  bus.publish({ type: 'image', action: 'pruned', id: '', reclaimed: r.spaceReclaimed });
}
