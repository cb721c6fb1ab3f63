// How long a finished progress entry (pull, checkpoint, export, restore, import) stays in
// its store, so the user sees it end, before it is removed. Failures stay longer.
export const PRUNE_MS = 3000;
export const PRUNE_ERROR_MS = 15000;
