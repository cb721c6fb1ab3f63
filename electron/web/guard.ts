// Web-mode request guard: a random token (URL `?token=` once, then an HttpOnly cookie),
// Host and Origin checks against DNS rebinding and cross-site requests.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'pier_token';

export function newToken(): string { return randomBytes(24).toString('base64url'); }

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === COOKIE) return part.slice(i + 1).trim();
  }
  return undefined;
}

export interface Guard {
  /** host:port values a request may name (loopback aliases of the bound port). */
  hosts: Set<string>;
  token: string;
}

export function allowedHosts(host: string, port: number): Set<string> {
  const s = new Set([`${host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (host.includes(':') && !host.startsWith('[')) s.add(`[${host}]:${port}`);
  return s;
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** Host and Origin first (a rebinding page never gets as far as the token), then the token. */
export function check(g: Guard, req: IncomingMessage, urlToken: string | null): Verdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!g.hosts.has(host)) return { ok: false, status: 403, reason: 'forbidden host' };
  const origin = req.headers.origin;
  if (origin !== undefined && !(origin.startsWith('http://') && g.hosts.has(origin.slice(7).toLowerCase()))) return { ok: false, status: 403, reason: 'forbidden origin' };
  if (sameToken(urlToken ?? undefined, g.token) || sameToken(cookieToken(req), g.token)) return { ok: true };
  return { ok: false, status: 401, reason: 'unauthorized' };
}

export function tokenCookie(token: string): string {
  return `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
