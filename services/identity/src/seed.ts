import { withTransaction, type Logger, type Pool } from '@packytrace/service-kit';
import type { KeycloakDirectory } from './clients/keycloak';
import { accountIdByEmail, insertAccount } from './db/accounts';
import { addBrandUser, findBrand } from './db/brands';
import { DEMO_BRANDS } from './domain/demo-brands';
import { announceAccountRegistered, announceBrandUserAdded } from './events/publish';
import { createBrand } from './routes/brands';

/**
 * Dev-stack seed (dev only), idempotent: the three demo Brands with fixed ids and prefixes, one
 * Keycloak Brand user each, and an account row for the platform admin of the realm import. Each new
 * Brand is announced (BrandRegistered) so Passport learns its prefixes.
 */
export async function seedDevData(deps: {
  pool: Pool;
  keycloak: KeycloakDirectory;
  logger: Logger;
  adminEmail: string;
}): Promise<void> {
  for (const demo of DEMO_BRANDS) {
    await withTransaction(deps.pool, async (tx) => {
      if (await findBrand(tx, demo.id)) return;
      await createBrand(tx, {
        brandId: demo.id,
        name: demo.name,
        gs1CompanyPrefixes: [...demo.gs1CompanyPrefixes],
      });
    });
    await ensureUser(deps, demo.user.email, demo.user.password, 'brand_user', demo.id);
  }
  const adminId = await deps.keycloak.findUserIdByEmail(deps.adminEmail);
  if (adminId) await ensureAccountRow(deps.pool, adminId, deps.adminEmail);
  else deps.logger.warn({ email: deps.adminEmail }, 'platform admin not found in Keycloak (realm import)');
}

async function ensureUser(
  deps: { pool: Pool; keycloak: KeycloakDirectory },
  email: string,
  password: string,
  role: string,
  brandId: string,
): Promise<void> {
  let userId = await deps.keycloak.findUserIdByEmail(email);
  if (!userId) {
    try {
      userId = await deps.keycloak.createUser({ email, password });
    } catch {
      userId = await deps.keycloak.findUserIdByEmail(email); // another instance created it meanwhile
      if (!userId) throw new Error(`could not create seed user ${email}`);
    }
  }
  await deps.keycloak.assignRealmRole(userId, role);
  const accountId = userId;
  await withTransaction(deps.pool, async (tx) => {
    const existing = await accountIdByEmail(tx, email);
    if (existing && existing !== accountId) return; // a stale row from an earlier Keycloak; leave it to an operator
    if (await insertAccount(tx, { id: accountId, email, displayName: null }))
      await announceAccountRegistered(tx, accountId);
    if (await addBrandUser(tx, accountId, brandId)) await announceBrandUserAdded(tx, brandId, accountId);
  });
}

async function ensureAccountRow(pool: Pool, accountId: string, email: string): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const existing = await accountIdByEmail(tx, email);
    if (existing) return;
    if (
      await insertAccount(tx, { id: accountId, email: email.toLowerCase(), displayName: 'Platform Admin' })
    ) {
      await announceAccountRegistered(tx, accountId);
    }
  });
}
