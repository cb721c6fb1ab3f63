// netavark leaves its base chains (NETAVARK_FORWARD, NETAVARK-HOSTPORT-*) after the last
// teardown. Pier removes them once no network uses them any more — also none of podman's,
// which shares them: the chains go only when no per-network chain or DNAT rule is left.
import { run } from '../runtime/proc';

const BASE = {
  filter: ['NETAVARK_FORWARD'],
  nat: ['NETAVARK-HOSTPORT-DNAT', 'NETAVARK-HOSTPORT-MASQ', 'NETAVARK-HOSTPORT-SETMARK'],
};

/** Rules of one table as iptables-save prints them. */
async function save(table: string): Promise<string[]> {
  const r = await run('iptables-save', ['-t', table], { timeoutMs: 30_000 }).catch(() => undefined);
  return r && r.code === 0 ? r.stdout.split('\n') : [];
}

/** Whether only netavark's fixed skeleton is left (nothing per network or per port). */
export function onlySkeleton(filter: string[], nat: string[]): boolean {
  const perNetwork = (l: string) => /^:NETAVARK-(DN-)?[0-9A-F]{13}\b/.test(l);
  if ([...filter, ...nat].some(perNetwork)) return false;
  if (filter.some((l) => l.startsWith('-A NETAVARK_FORWARD '))) return false;
  if (nat.some((l) => l.startsWith('-A NETAVARK-HOSTPORT-DNAT '))) return false;
  return [...filter, ...nat].some((l) => /^:NETAVARK/.test(l));
}

/** iptables-save's `-A CHAIN SPEC` as the deletion of that rule. */
const deletion = (line: string) => `-D${line.slice(2)}`;

/** The deletions that remove chains from a table: jumps into them and their rules, then the chains. Pure. */
export function chainRemoval(lines: string[], chains: string[]): string[] {
  const rules = lines.filter((l) => l.startsWith('-A ') && (chains.includes(l.split(' ')[1]) || chains.some((c) => l.endsWith(`-j ${c}`) || l.includes(`-j ${c} `))));
  return [...rules.map(deletion), ...chains.filter((c) => lines.some((l) => l.startsWith(`:${c} `))).map((c) => `-X ${c}`)];
}

/**
 * Applies deletions (iptables-restore syntax) per table, all in one iptables-restore process. iptables-nft
 * waits for an RCU grace period (≈ 15 ms here) after each process that deleted something: one process
 * instead of one per rule. When the batch is refused (a rule changed meanwhile: nothing was applied), each
 * deletion is tried on its own.
 */
async function applyDeletions(batch: Record<string, string[]>): Promise<void> {
  const tables = Object.entries(batch).filter(([, lines]) => lines.length);
  if (!tables.length) return;
  const input = tables.map(([t, lines]) => `*${t}\n${lines.join('\n')}\nCOMMIT\n`).join('');
  const r = await run('iptables-restore', ['-w', '--noflush'], { input, timeoutMs: 30_000 }).catch(() => undefined);
  if (r?.code === 0) return;
  for (const [t, lines] of tables) {
    for (const l of lines) await run('iptables', ['-w', '-t', t, ...splitRule(l)], { timeoutMs: 30_000 }).catch(() => undefined);
  }
}

/** Removes the skeleton when nothing uses it; a no-op otherwise. */
export async function removeIdleBaseChains(): Promise<boolean> {
  const [filter, nat] = await Promise.all([save('filter'), save('nat')]);
  if (!onlySkeleton(filter, nat)) return false;
  await applyDeletions({ filter: chainRemoval(filter, BASE.filter), nat: chainRemoval(nat, BASE.nat) });
  return true;
}

/** Splits an iptables-save rule into argv (double-quoted words kept whole). */
export function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rule))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

// netavark 1.4 accepts forwarded traffic to a network only when it is a reply; with a FORWARD
// policy of DROP, published ports are unreachable from other hosts and namespaces. Pier adds,
// per network in use, one rule accepting connections DNATed to it (only published ports are),
// in its own chain PIER_FORWARD, removed with the network's last endpoint.
const CHAIN = 'PIER_FORWARD';

function acceptRule(subnet: string, bridge: string): string[] {
  return ['-d', subnet, '-o', bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '-m', 'comment', '--comment', `pier ${bridge}`, '-j', 'ACCEPT'];
}

async function ipt(args: string[]): Promise<boolean> {
  const r = await run('iptables', ['-w', '-t', 'filter', ...args], { timeoutMs: 30_000 }).catch(() => undefined);
  return r?.code === 0;
}

/** networks whose rule this process installed (checked once, not at every container start) */
const allowed = new Set<string>();

/** Lets published ports of the network be reached from outside (idempotent). */
export async function allowPublished(subnet: string, bridge: string): Promise<void> {
  if (allowed.has(`${subnet} ${bridge}`)) return;
  if (!(await ipt(['-L', CHAIN, '-n']))) await ipt(['-N', CHAIN]);
  if (!(await ipt(['-C', 'FORWARD', '-j', CHAIN]))) await ipt(['-I', 'FORWARD', '-j', CHAIN]);
  if (!(await ipt(['-C', CHAIN, ...acceptRule(subnet, bridge)]))) await ipt(['-A', CHAIN, ...acceptRule(subnet, bridge)]);
  allowed.add(`${subnet} ${bridge}`);
}

/** The deletions that take the network's rule out of PIER_FORWARD (duplicates from a crash too); the jump
 *  and the chain go with the last rule. Pure. */
export function revocation(filter: string[], subnet: string, bridge: string): string[] {
  const rules = filter.filter((l) => l.startsWith(`-A ${CHAIN} `));
  const ours = rules.filter((l) => l.startsWith(`-A ${CHAIN} -d ${subnet} -o ${bridge} `));
  if (!ours.length) return [];
  return ours.length < rules.length ? ours.map(deletion) : [...ours.map(deletion), ...chainRemoval(filter.filter((l) => !ours.includes(l)), [CHAIN])];
}

/** Removes the network's rule; the chain and its jump go with the last rule. */
export async function revokePublished(subnet: string, bridge: string): Promise<void> {
  allowed.delete(`${subnet} ${bridge}`);
  await applyDeletions({ filter: revocation(await save('filter'), subnet, bridge) });
}
