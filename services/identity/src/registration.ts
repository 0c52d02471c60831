import { setTimeout as sleep } from 'node:timers/promises';
import {
  badRequest,
  conflict,
  withTransaction,
  type Logger,
  type Pool,
  type PoolClient,
} from '@packytrace/service-kit';
import {
  keycloakUnavailable,
  UserCreationUncertain,
  type DirectoryUser,
  type KeycloakDirectory,
  type NewUser,
} from './clients/keycloak';
import {
  findAccount,
  insertAccount,
  isUniqueViolation,
  linkVisitor,
  lockRegistrationOf,
} from './db/accounts';
import { isValidEmail, normalizeEmail } from './domain/email';
import { announceAccountRegistered } from './events/publish';

export interface RegistrationDeps {
  pool: Pool;
  keycloak: KeycloakDirectory;
  logger: Logger;
}

export interface Registration extends NewUser {
  /** Kept in Identity's database only (Keycloak holds no name). */
  displayName?: string;
  /** The realm role the new user gets (`consumer` for sign-ups, `brand_user` for Brand users). */
  role: string;
  visitorId?: string;
  /** Further writes in the same transaction as the account row (e.g. the Brand link and its event). */
  alsoInTransaction?: (tx: PoolClient, accountId: string) => Promise<void>;
}

/**
 * When to look for a user Keycloak may still be creating after its create call went unanswered
 * (delays in ms before each look-up; 1.4 s in all).
 */
const LOOKUP_DELAYS_MS = [0, 200, 400, 800];

/**
 * Creates the Keycloak user, then the account row and its events in one transaction. If anything
 * fails once the Keycloak user exists, the user is deleted again (compensation), so no
 * half-registered account survives: a sign-in without an account row, or a row without a user.
 */
export async function registerAccount(
  deps: RegistrationDeps,
  registration: Registration,
): Promise<{ accountId: string; email: string }> {
  const email = normalizeEmail(registration.email);
  if (!isValidEmail(email)) throw badRequest('invalid_email', 'The email address is not valid.');
  const accountId = await createKeycloakUser(deps, { email, password: registration.password });
  try {
    await deps.keycloak.assignRealmRole(accountId, registration.role);
    await withTransaction(deps.pool, async (tx) => {
      // Under the email's lock, so a clean-up of an unanswered creation (below) either removed the
      // user before this point, which this check sees, or finds the row and keeps the user.
      await lockRegistrationOf(tx, email);
      if (!(await deps.keycloak.userExists(accountId))) throw keycloakUnavailable();
      await insertAccount(tx, { id: accountId, email, displayName: registration.displayName ?? null });
      if (registration.visitorId) await linkVisitor(tx, registration.visitorId, accountId);
      await announceAccountRegistered(tx, accountId, registration.visitorId);
      await registration.alsoInTransaction?.(tx, accountId);
    });
  } catch (error) {
    await compensate(deps, accountId);
    if (isUniqueViolation(error)) throw conflict('email_taken', 'An account with this email already exists.');
    throw error;
  }
  return { accountId, email };
}

/**
 * `createUser`, except that a call without a clear answer leaves no user behind: it would hold the
 * requester's password but no account row or role, and make every later sign-up with the email 409.
 */
async function createKeycloakUser(deps: RegistrationDeps, user: NewUser): Promise<string> {
  try {
    return await deps.keycloak.createUser(user);
  } catch (error) {
    if (error instanceof UserCreationUncertain) await removeUserCreatedSince(deps, user.email, error.sentAt);
    throw error;
  }
}

/**
 * Looks for the user an unanswered create call may have made, giving Keycloak a moment to finish, and
 * deletes it only if it cannot be anyone else's: created after the call was sent (a user that existed
 * before, such as an earlier account or the realm's admin, is never touched) and without an account
 * row, checked under the email's registration lock so a concurrent sign-up's user is not taken.
 */
async function removeUserCreatedSince(deps: RegistrationDeps, email: string, sentAt: number): Promise<void> {
  for (const delay of LOOKUP_DELAYS_MS) {
    await sleep(delay);
    let user: DirectoryUser | undefined;
    try {
      user = await deps.keycloak.findUserByEmail(email);
    } catch (error) {
      deps.logger.warn(
        { err: error, keycloakUserId: 'unknown' },
        'Keycloak user creation went unanswered and the look-up failed; a user without an account row may remain',
      );
      return;
    }
    if (!user) continue;
    if (user.createdAt === undefined || user.createdAt < sentAt || user.createdAt > Date.now()) {
      deps.logger.info(
        { keycloakUserId: user.id },
        'Keycloak user creation went unanswered; the user found was not created by this attempt and is kept',
      );
      return;
    }
    await removeUnregisteredUser(deps, email, user.id);
    return;
  }
  deps.logger.warn(
    { keycloakUserId: 'unknown' },
    'Keycloak user creation went unanswered and no user appeared; nothing to remove',
  );
}

async function removeUnregisteredUser(deps: RegistrationDeps, email: string, userId: string): Promise<void> {
  try {
    const removed = await withTransaction(deps.pool, async (tx) => {
      await lockRegistrationOf(tx, email);
      if (await findAccount(tx, userId)) return false;
      await deps.keycloak.deleteUser(userId);
      return true;
    });
    if (removed)
      deps.logger.warn(
        { keycloakUserId: userId },
        'Keycloak user creation went unanswered but the user was created; user removed',
      );
    else deps.logger.info({ keycloakUserId: userId }, 'Keycloak user has an account row meanwhile; kept');
  } catch (error) {
    deps.logger.error(
      { err: error, keycloakUserId: userId },
      'removing the user of an unanswered Keycloak creation failed: Keycloak user without account row',
    );
  }
}

async function compensate(deps: RegistrationDeps, accountId: string): Promise<void> {
  try {
    await deps.keycloak.deleteUser(accountId);
    deps.logger.warn({ accountId }, 'registration failed after the Keycloak user was created; user removed');
  } catch (error) {
    // Left for an operator: the user exists in Keycloak without an account row.
    deps.logger.error({ err: error, accountId }, 'compensation failed: Keycloak user without account row');
  }
}
