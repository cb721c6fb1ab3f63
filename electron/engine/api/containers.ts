// /containers/…: the route tables by concern. Each module owns its handlers:
//   list, inspect            container-inspect.ts (and the list/inspect JSON shapes)
//   create                   container-create.ts
//   start … prune            container-lifecycle.ts
//   logs, resize             container-logs.ts
// Elsewhere: attach (attach.ts), exec (exec.ts), archive/export (archive.ts), stats and top
// (stats.ts), checkpoints (checkpoints.ts); server.ts puts the tables together.
import type { Route } from './context';
import { inspectRoutes } from './container-inspect';
import { createRoutes } from './container-create';
import { lifecycleRoutes } from './container-lifecycle';
import { logRoutes } from './container-logs';

export function containerRoutes(): Route[] {
  return [...inspectRoutes, ...createRoutes, ...lifecycleRoutes, ...logRoutes];
}
