// Naming a container in a request: lookup by id, prefix or name (404 naming it), Docker's
// name rule and the terminal size query the container routes share.
import type { Engine } from '../engine';
import type { ContainerRecord } from '../store/types';
import { badRequest, notFound, toApiError } from './errors';
import { qint } from './validate';
import { containerNameProblem } from '../../common/names';

/** The path parameter of /containers/{id}/… */
export const ID = '([^/]+)';

/** Looks a container up by id, id prefix or name (with or without the leading slash); 404 naming it. */
export function getContainer(engine: Engine, ref: string): ContainerRecord {
  try {
    return engine.containers.get(ref.replace(/^\//, ''));
  } catch (e) {
    const ae = toApiError(e);
    if (ae.status === 404) throw notFound(`No such container: ${ref}`);
    throw e;
  }
}

/** Docker's name check and message; a leading '/' is accepted (the caller strips it). */
export function checkName(name: string): void {
  if (containerNameProblem(name.replace(/^\//, ''))) {
    throw badRequest(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
}

export function sizeParams(query: URLSearchParams): { h: number; w: number } {
  const h = qint(query, 'h'),
    w = qint(query, 'w');
  if (h === undefined || w === undefined || h < 0 || w < 0 || h > 65535 || w > 65535)
    throw badRequest(
      `invalid terminal size: h=${query.get('h')} w=${query.get('w')} (both required, 0-65535; 0 changes nothing)`,
    );
  return { h, w };
}
