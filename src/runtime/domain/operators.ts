/**
 * Operators, roles and identity (SPEC 12), as pure rules. A token belongs to an operator with a role;
 * what a role may do is a capability. Identities compare case-insensitively, and an action done with
 * the service token on someone's behalf (`NAME (service token)`) counts as NAME for capacity and the
 * two-person rule.
 */
import { sha256Hex } from './sha256.js';

export const ROLES = ['viewer', 'reviewer', 'approver', 'pto', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route or action needs. `read` is every role. */
export const CAPABILITIES = ['read', 'decide', 'dispatch', 'release', 'admin'] as const;
export type Capability = (typeof CAPABILITIES)[number];

const GRANTS: Record<Role, readonly Capability[]> = {
  viewer: ['read'],
  reviewer: ['read', 'decide'],
  approver: ['read', 'decide', 'dispatch'],
  pto: ['read', 'release'],
  admin: ['read', 'decide', 'dispatch', 'release', 'admin'],
};

const CAPABILITY_WORDS: Record<Capability, string> = {
  read: 'reading',
  decide: 'approving, rejecting or undoing drafts',
  dispatch: 'previewing or executing batches, triggering operator actions and controlling campaigns',
  release: 'confirming release steps and signing off the scorecard',
  admin: 'managing operators',
};

export function roleAllows(role: Role, need: Capability): boolean {
  return GRANTS[role].includes(need);
}

/** The roles that may do `need`, for the 403 message: "reviewer, approver or admin". */
export function rolesFor(need: Capability): Role[] {
  return ROLES.filter((role) => roleAllows(role, need));
}

/** "approver or admin". */
export function rolesText(need: Capability): string {
  const roles = rolesFor(need);
  return roles.length > 1 ? `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}` : (roles[0] ?? 'admin');
}

/** "a reviewer", "an approver". */
export function aRole(role: Role): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

export function forbiddenMessage(name: string, role: Role, need: Capability): string {
  return `${CAPABILITY_WORDS[need]} needs the ${rolesText(need)} role; ${name} is ${aRole(role)}`;
}

/**
 * The 403 an API client reads: who the token is, its role, what the route needs, and what to do. A
 * role is given when an operator is added and never changes, so the way forward is a token of an
 * operator with a role that may (an admin adds one), never "change my role".
 */
export function apiForbiddenMessage(route: string, name: string, role: Role, need: Capability): string {
  const first = rolesFor(need).find((r) => r !== 'admin') ?? 'admin';
  return (
    `${route} needs the ${rolesText(need)} role (${CAPABILITY_WORDS[need]}); this token is ${name}'s, ${aRole(role)}. ` +
    `Ask an admin for a token of an operator with the ${first} role (\`caio operators add NAME --role ${first}\` prints one) and retry with it.`
  );
}

export const SERVICE_TOKEN_SUFFIX = ' (service token)';

/** Who an actor is for capacity and the two-person rule: lower-cased, without the service-token note. */
export function identityKey(actor: string): string {
  const trimmed = actor.trim();
  const base = trimmed.endsWith(SERVICE_TOKEN_SUFFIX)
    ? trimmed.slice(0, -SERVICE_TOKEN_SUFFIX.length)
    : trimmed;
  return base.trim().toLowerCase();
}

export function sameIdentity(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  return identityKey(a) === identityKey(b);
}

export const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export function operatorNameProblem(name: string): string | undefined {
  if (OPERATOR_NAME.test(name)) return undefined;
  return 'a name is 1 to 64 letters, digits or . _ @ + - and starts with a letter or digit';
}

/** Operator tokens are stored only as this digest (SHA-256 hex of the UTF-8 token). */
export function tokenDigest(token: string): string {
  return sha256Hex(token);
}

export const OPERATOR_TOKEN_PREFIX = 'caio_op_';
