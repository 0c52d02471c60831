import {
  badRequest,
  conflict,
  withTransaction,
  type Logger,
  type Pool,
  type PoolClient,
} from '@packytrace/service-kit';
import type { KeycloakDirectory, NewUser } from './clients/keycloak';
import { insertAccount, isUniqueViolation, linkVisitor } from './db/accounts';
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
  const accountId = await deps.keycloak.createUser({ email, password: registration.password });
  try {
    await deps.keycloak.assignRealmRole(accountId, registration.role);
    await withTransaction(deps.pool, async (tx) => {
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

async function compensate(deps: RegistrationDeps, accountId: string): Promise<void> {
  try {
    await deps.keycloak.deleteUser(accountId);
    deps.logger.warn({ accountId }, 'registration failed after the Keycloak user was created; user removed');
  } catch (error) {
    // Left for an operator: the user exists in Keycloak without an account row.
    deps.logger.error({ err: error, accountId }, 'compensation failed: Keycloak user without account row');
  }
}
