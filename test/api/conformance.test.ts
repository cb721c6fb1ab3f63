// Conformance with a real Docker daemon: the same API requests against dockerd 20.10 (the oracle, see
// test/helpers/dockerd.ts) and against `pier serve`, compared on the fields clients read. Every difference is
// either a defect (the test fails) or listed in KNOWN with its reason (also in docs/api.md). A KNOWN entry that
// no longer differs fails too, so the list stays true.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, request, testImages, DOCKER, type PierServer } from './helpers';
import { startDockerd, dockerdSkipReason, type RefDockerd } from '../helpers/dockerd';
import { observeAll, type Observations } from './conformance-scenarios';
import { freePort } from '../helpers/registry';

/** Field paths where Pier knowingly differs from dockerd 20.10, with the reason. */
export const KNOWN: Record<string, string> = {
  'version.ApiVersion': 'Pier speaks API 1.50; dockerd 20.10 speaks 1.41 (clients negotiate down)',
  'errors.createBadJson': 'a malformed body: dockerd 20.10 answers 500, current dockerd and Pier 400 (the client erred)',
  'errors.createNoImage': 'no Image: dockerd 20.10 creates a container that cannot start; Pier refuses at create (400)',
  'images.missing.message': 'dockerd 20.10 repeats the reference ("no such image: X: No such image: X"); Pier says it once',
  'lifecycle.killStopped.message': 'current dockerd wording (container <id> is not running); 20.10 capitalised it',
  'lifecycle.removeRunning.message': "current dockerd wording (cannot remove container \"/name\": container is running…)",
};

const skip = dockerdSkipReason() ?? (!existsSync(DOCKER) ? `${DOCKER} not installed` : undefined);

interface Server { socket: string; env: NodeJS.ProcessEnv }
let pier: PierServer | undefined;
let ref: RefDockerd | undefined;

async function loadImages(s: Server): Promise<void> {
  const r = await docker(s, ['load', '-i', await testImages()]);
  if (r.code !== 0) throw new Error(`docker load failed: ${r.stderr}`);
}

/** Flattens nested observations into path → JSON value. */
function flatten(o: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = JSON.stringify(o);
  }
  return out;
}

describe('conformance with dockerd', { skip }, () => {
  let theirs: Observations;
  let ours: Observations;
  before(async () => {
    ref = await startDockerd({ bridge: 'pierconf0', subnet: '172.31.251' });
    await loadImages(ref);
    pier = await startPierWithImages();
    const port = await freePort();
    theirs = await observeAll({ socket: ref.socket, env: ref.env }, request, port);
    ours = await observeAll({ socket: pier.socket, env: pier.env }, request, port);
  });
  after(async () => {
    await stopPier(pier);
    await ref?.stop();
  });

  test('every field clients read answers as dockerd does, or is a listed difference', () => {
    const a = flatten(theirs), b = flatten(ours);
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const unexpected: string[] = [];
    const stale: string[] = [];
    for (const k of keys) {
      const differs = a[k] !== b[k];
      if (differs && !(k in KNOWN)) unexpected.push(`${k}: dockerd ${a[k] ?? '(absent)'} / pier ${b[k] ?? '(absent)'}`);
      if (!differs && k in KNOWN) stale.push(k);
    }
    for (const k of Object.keys(KNOWN)) if (!keys.includes(k)) stale.push(`${k} (not observed)`);
    assert.deepEqual(unexpected, [], `Pier differs from dockerd:\n${unexpected.join('\n')}`);
    assert.deepEqual(stale, [], `listed differences that no longer differ (remove from KNOWN and docs/api.md):\n${stale.join('\n')}`);
  });
});
