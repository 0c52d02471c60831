import { provisionDatabase } from '../../infra/postgres/provision';
import { applyInfraEnv } from './infra-env';

/** Tests get their own database, provisioned like the dev one: the same schemas and restricted roles. */
export default async function setup(): Promise<void> {
  // Without servers, pure unit tests still run; tests that need them fail with a message naming the variable.
  if (!applyInfraEnv()) return;
  await provisionDatabase(process.env.PT_TEST_ADMIN_DATABASE_URL!, process.env.PT_TEST_DATABASE!);
}
