// Image references: `[registry/]path[:tag][@sha256:hex]`, after the distribution
// grammar. Short names (no registry part) resolve against a configured default
// registry; Pier names no registry host itself. One-component paths on the default
// registry get the `library/` prefix (the official-images convention of Docker's
// default registry). Without a default registry, short names still work for local
// images (load, tag, inspect) but cannot be pulled.
import { BadReferenceError } from './errors';

export interface Reference {
  /** Registry host[:port]; '' for a local-only short name (no default registry configured). */
  domain: string;
  /** Repository path, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:localhost|\[[0-9a-fA-F:]+\]|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export const DEFAULT_REGISTRY_SETTING = 'PIER_DEFAULT_REGISTRY';

/** Parses and normalises `ref`. Throws BadReferenceError (EBADREF) naming the reason. */
export function parseReference(ref: string, defaultRegistry?: string): Reference {
  if (typeof ref !== 'string' || !ref) throw new BadReferenceError(String(ref), 'empty reference');
  if (ref.length > 512) throw new BadReferenceError(ref.slice(0, 40) + '…', 'reference too long');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new BadReferenceError(ref, `"${digest}" is not a sha256 digest`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new BadReferenceError(ref, `"${tag}" is not a valid tag`);
  }
  if (!rest) throw new BadReferenceError(ref, 'missing repository name');
  const parts = rest.split('/');
  let domain = '';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || parts[0].startsWith('['))) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) throw new BadReferenceError(ref, `"${domain}" is not a valid registry host`);
  }
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      throw new BadReferenceError(ref, /[A-Z]/.test(p) ? 'repository name must be lowercase' : `"${p}" is not a valid repository name component`);
    }
  }
  let path = parts.join('/');
  if (path.length > 255) throw new BadReferenceError(ref, 'repository name longer than 255 characters');
  const def = defaultRegistry?.trim() || '';
  if (!domain && def) domain = def;
  if (def && domain === def && !path.includes('/')) path = `library/${path}`;
  if (!tag && !digest) tag = 'latest';
  return { domain, path, tag, digest };
}

/** `domain/path` (or `path` for local-only short names). */
export function repoName(r: Reference): string {
  return r.domain ? `${r.domain}/${r.path}` : r.path;
}
export function formatReference(r: Reference): string {
  return repoName(r) + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}
/** The short form users typed: default registry and `library/` dropped. */
export function familiarName(full: string, defaultRegistry?: string): string {
  const def = defaultRegistry?.trim();
  if (def && full.startsWith(def + '/')) {
    let rest = full.slice(def.length + 1);
    if (rest.startsWith('library/') && !rest.slice(8).split(/[:@]/)[0].includes('/')) rest = rest.slice(8);
    return rest;
  }
  return full;
}

/** True for hosts that Pier talks to over plain HTTP: loopback, or configured as insecure. */
export function isInsecureHost(domain: string, insecure: string[] = []): boolean {
  const host = domain.replace(/:[0-9]+$/, '');
  if (host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  return insecure.includes(domain) || insecure.includes(host);
}

export function looksLikeId(s: string): boolean {
  return /^(sha256:)?[a-f0-9]{4,64}$/.test(s);
}

/**
 * Docker clients expand short names with their own default domain before sending them (`busybox` arrives
 * as `<domain>/library/busybox`, `me/app` as `<domain>/me/app`). Pier names no registry: the domain is
 * PIER_CLIENT_DOMAIN when set; otherwise a dotted, port-less, non-loopback first component in front of two
 * or more path components is taken as that expansion (so `registry.example/team/app` also shows as
 * `team/app`: Pier has no push, the name is only a label). Returns the name as the user typed it.
 */
export function clientShortName(ref: string, domain = process.env.PIER_CLIENT_DOMAIN?.trim()): string {
  const strip = (rest: string) => (rest.startsWith('library/') && !rest.slice(8).split(/[:@]/)[0].includes('/') ? rest.slice(8) : rest);
  if (domain) return ref.startsWith(domain + '/') ? strip(ref.slice(domain.length + 1)) : ref;
  const parts = ref.split(/[:@]/)[0].split('/');
  const first = parts[0];
  if (parts.length >= 3 && first.includes('.') && !ref.startsWith(first + ':') && !/^(127\.|localhost)/.test(first)) return strip(ref.slice(first.length + 1));
  return ref;
}
