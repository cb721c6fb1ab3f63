// Errors cross every boundary as {code, message}: the user sees the engine's own reason.
import type { RpcError } from '../common/contract';

export class RpcFailure extends Error {
  constructor(readonly code: string, message: string) { super(message); this.name = 'RpcFailure'; }
}

export function notAvailable(area: string, why: string): RpcFailure {
  return new RpcFailure('ENOTAVAIL', `${area} not available in this engine: ${why}`);
}

export function toRpcError(e: unknown): RpcError {
  if (e && typeof e === 'object') {
    const err = e as { code?: unknown; message?: unknown };
    const code = typeof err.code === 'string' ? err.code : 'EENGINE';
    const message = typeof err.message === 'string' && err.message ? err.message : String(e);
    return { code, message };
  }
  return { code: 'EENGINE', message: String(e) };
}
