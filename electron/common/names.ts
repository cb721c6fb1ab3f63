// Container names: the one rule every front end and the engine apply (Docker's): a letter or
// digit, then at least one more of letters, digits, `_`, `.`, `-`; at most 128 characters.
// The Docker API also accepts a leading `/`, which it strips before calling this.
import { z } from 'zod';

const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
export const CONTAINER_NAME_MAX = 128;
const RULE = 'use 2 to 128 letters, digits, _ . - (a letter or digit first)';

/** Why `name` is not a valid container name, or undefined when it is. */
export function containerNameProblem(name: string): string | undefined {
  if (name.length > CONTAINER_NAME_MAX) return `invalid container name "${name.slice(0, 40)}…": too long (${RULE})`;
  if (!CONTAINER_NAME.test(name)) return `invalid container name "${name}": ${RULE}`;
  return undefined;
}

/** Throws an error with code EINVAL naming the container name and the rule. */
export function assertContainerName(name: string): void {
  const problem = containerNameProblem(name);
  if (problem) throw Object.assign(new Error(problem), { code: 'EINVAL' });
}

/** The same rule as a schema, for contracts. */
export const containerName = z.string().max(CONTAINER_NAME_MAX).regex(CONTAINER_NAME, RULE);
