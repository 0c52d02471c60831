import { describe, expect, it } from 'vitest';
import { serviceRoles } from '../../infra/postgres/provision';
import { provisioningPlan, serviceUrlVariable } from '../provision-database';

const serviceUrls = (password: (role: string) => string, database = 'packytrace') =>
  Object.fromEntries(
    serviceRoles.map(({ role }) => [
      serviceUrlVariable(role),
      `postgres://${role}:${encodeURIComponent(password(role))}@db.example:5432/${database}?sslmode=require`,
    ]),
  );
const admin = { PT_DATABASE_URL: 'postgres://admin:admin-password@db.example:5432/postgres' };

describe('deploy/provision-database.ts', () => {
  it("takes each role's password from the URL its service connects with", () => {
    const plan = provisioningPlan({ ...admin, ...serviceUrls((role) => `${role} p@ss/wörd`) });
    expect(plan.databaseName).toBe('packytrace');
    expect(plan.adminUrl).toBe(admin.PT_DATABASE_URL);
    expect(plan.passwords).toEqual(
      Object.fromEntries(
        serviceRoles.map(({ role }) => [`PT_DB_PASSWORD_${role.toUpperCase()}`, `${role} p@ss/wörd`]),
      ),
    );
  });

  it('refuses a missing admin URL, a missing service URL, a wrong role and two databases', () => {
    const urls = serviceUrls(() => 'secret');
    expect(() => provisioningPlan(urls)).toThrow(/PT_DATABASE_URL/);
    const { PT_DB_URL_FRIDGE_SVC: _fridge, ...withoutFridge } = urls;
    expect(() => provisioningPlan({ ...admin, ...withoutFridge })).toThrow(/PT_DB_URL_FRIDGE_SVC/);
    expect(() =>
      provisioningPlan({
        ...admin,
        ...urls,
        PT_DB_URL_FRIDGE_SVC: 'postgres://passport_svc:x@db/packytrace',
      }),
    ).toThrow(/connects as passport_svc, expected fridge_svc/);
    expect(() =>
      provisioningPlan({ ...admin, ...urls, PT_DB_URL_FRIDGE_SVC: 'postgres://fridge_svc:x@db/other' }),
    ).toThrow(/one database/);
    expect(() =>
      provisioningPlan({ ...admin, ...urls, PT_DB_URL_FRIDGE_SVC: 'postgres://fridge_svc@db/packytrace' }),
    ).toThrow(/no password/);
  });
});
