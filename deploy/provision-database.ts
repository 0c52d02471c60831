/**
 * Provisions the PackyTrace database on a managed PostgreSQL: one database, one schema and one login
 * role per data-owning service (infra/postgres/provision.ts). Run by the Kubernetes Job
 * `provision-database` (deploy/kubernetes/base/provision-database.yaml) or by hand:
 *
 *   PT_DATABASE_URL=postgres://admin:…@host:5432/postgres \
 *   PT_DB_URL_PASSPORT_SVC=postgres://passport_svc:…@host:5432/packytrace … \
 *   npx tsx deploy/provision-database.ts
 *
 * The role passwords come from the services' own connection URLs (the Secrets the services read), so
 * each password is kept in one place; the database name is the one those URLs name.
 */
import { pathToFileURL } from 'node:url';
import { provisionDatabase, serviceRoles } from '../infra/postgres/provision';

export interface ProvisioningPlan {
  readonly adminUrl: string;
  readonly databaseName: string;
  /** `PT_DB_PASSWORD_<ROLE>` as infra/postgres/provision.ts reads them. */
  readonly passwords: Record<string, string>;
}

export const serviceUrlVariable = (role: string): string => `PT_DB_URL_${role.toUpperCase()}`;

/** Reads and cross-checks the admin URL and every service's URL; throws naming what is wrong. */
export function provisioningPlan(env: NodeJS.ProcessEnv): ProvisioningPlan {
  const adminUrl = env.PT_DATABASE_URL;
  if (!adminUrl) throw new Error('PT_DATABASE_URL (an admin URL of the PostgreSQL server) is required');
  const passwords: Record<string, string> = {};
  const databases = new Set<string>();
  for (const { role } of serviceRoles) {
    const variable = serviceUrlVariable(role);
    const raw = env[variable];
    if (!raw) throw new Error(`${variable} (the ${role} connection URL) is required`);
    const url = new URL(raw);
    const user = decodeURIComponent(url.username);
    if (user !== role) throw new Error(`${variable} connects as ${user || 'nobody'}, expected ${role}`);
    if (!url.password) throw new Error(`${variable} has no password`);
    passwords[`PT_DB_PASSWORD_${role.toUpperCase()}`] = decodeURIComponent(url.password);
    databases.add(decodeURIComponent(url.pathname.replace(/^\//, '')));
  }
  const [databaseName, ...others] = [...databases];
  if (!databaseName || others.length > 0)
    throw new Error(`the service URLs must name one database, found: ${[...databases].join(', ')}`);
  return { adminUrl, databaseName, passwords };
}

async function main(): Promise<void> {
  const plan = provisioningPlan(process.env);
  Object.assign(process.env, plan.passwords);
  await provisionDatabase(plan.adminUrl, plan.databaseName);
  console.log(`provisioned database ${plan.databaseName}: ${serviceRoles.map((r) => r.role).join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: Error) => {
    console.error(`provisioning failed: ${error.message}`);
    process.exit(1);
  });
}
