import {
  BrandCreated,
  BrandUserCreated,
  CreateBrandRequest,
  CreateBrandUserRequest,
  InternalAccountBrand,
  ProblemDetails,
  UuidParam,
} from '@packytrace/contracts';
import {
  badRequest,
  conflict,
  notFound,
  requireRole,
  withTransaction,
  type PoolClient,
  type ServiceApp,
} from '@packytrace/service-kit';
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import {
  addBrandUser,
  allPrefixes,
  brandNameTaken,
  brandOfAccount,
  findBrand,
  insertBrand,
  lockBrandRegistry,
} from '../db/brands';
import { invalidPrefixes, overlappingPrefixes } from '../domain/prefixes';
import { announceBrandRegistered, announceBrandUserAdded } from '../events/publish';
import { registerAccount, type RegistrationDeps } from '../registration';

const PLATFORM_ADMIN = 'platform_admin';

/** Registers a Brand after checking its prefixes against every other Brand's, inside the caller's transaction. */
export async function createBrand(
  tx: PoolClient,
  registration: { brandId: string; name: string; gs1CompanyPrefixes: string[] },
): Promise<void> {
  // Trimmed here, not after the request schema's minLength: "   " would pass the schema and then
  // fail BrandRegistered's contract (a name of at least one character) as a 500.
  const brand = { ...registration, name: registration.name.trim() };
  if (brand.name === '')
    throw badRequest('invalid_brand_name', 'A Brand name needs a character other than whitespace.');
  const bad = invalidPrefixes(brand.gs1CompanyPrefixes);
  if (bad.length > 0)
    throw badRequest(
      'invalid_gs1_company_prefix',
      `GS1 company prefixes have 6 to 12 digits: ${bad.join(', ')}.`,
    );
  await lockBrandRegistry(tx);
  const clashes = overlappingPrefixes(brand.gs1CompanyPrefixes, await allPrefixes(tx));
  if (clashes.length > 0) {
    const [a, b] = clashes[0]!;
    throw conflict(
      'prefix_overlap',
      `GS1 company prefix ${a} overlaps ${b}; a GTIN must belong to one Brand.`,
    );
  }
  if (await brandNameTaken(tx, brand.name))
    throw conflict('brand_name_taken', 'A Brand with this name exists.');
  await insertBrand(tx, brand);
  await announceBrandRegistered(tx, brand);
}

/** Admin routes for Brands and Brand users (platform_admin only), and the gateway's internal Brand lookup. */
export function brandRoutes(app: ServiceApp, deps: RegistrationDeps): void {
  app.post(
    '/api/v1/admin/brands',
    {
      schema: {
        tags: ['admin'],
        summary: 'Register a Brand with its GS1 company prefixes',
        body: CreateBrandRequest,
        response: {
          201: BrandCreated,
          400: ProblemDetails,
          401: ProblemDetails,
          403: ProblemDetails,
          409: ProblemDetails,
        },
      },
    },
    async (request, reply) => {
      requireRole(request, PLATFORM_ADMIN);
      const brandId = randomUUID();
      const gs1CompanyPrefixes = [...new Set(request.body.gs1CompanyPrefixes)];
      await withTransaction(deps.pool, (tx) =>
        createBrand(tx, { brandId, name: request.body.name, gs1CompanyPrefixes }),
      );
      return reply.status(201).send({ brandId });
    },
  );

  app.post(
    '/api/v1/admin/brands/:brandId/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a Brand user (a Keycloak user with the brand_user role)',
        params: Type.Object({ brandId: UuidParam }),
        body: CreateBrandUserRequest,
        response: {
          201: BrandUserCreated,
          400: ProblemDetails,
          401: ProblemDetails,
          403: ProblemDetails,
          404: ProblemDetails,
          409: ProblemDetails,
        },
      },
    },
    async (request, reply) => {
      requireRole(request, PLATFORM_ADMIN);
      const { brandId } = request.params;
      if (!(await findBrand(deps.pool, brandId))) throw notFound('brand_not_found', 'No such Brand.');
      const { email, password, displayName } = request.body;
      const created = await registerAccount(deps, {
        email,
        password,
        displayName,
        role: 'brand_user',
        alsoInTransaction: async (tx, accountId) => {
          await addBrandUser(tx, accountId, brandId);
          await announceBrandUserAdded(tx, brandId, accountId);
        },
      });
      return reply.status(201).send({ ...created, brandId });
    },
  );

  app.get(
    '/internal/accounts/:accountId/brand',
    {
      schema: {
        hide: true,
        params: Type.Object({ accountId: UuidParam }),
        response: { 200: InternalAccountBrand, 400: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request) => {
      const brand = await brandOfAccount(deps.pool, request.params.accountId);
      if (!brand) throw notFound('brand_not_found', 'The account belongs to no Brand.');
      return brand;
    },
  );
}
