import { AccountCreated, Me, ProblemDetails, RegisterAccountRequest } from '@packytrace/contracts';
import { notFound, requireAccount, type ServiceApp } from '@packytrace/service-kit';
import { findAccount } from '../db/accounts';
import { brandOfAccount } from '../db/brands';
import { registerAccount, type RegistrationDeps } from '../registration';

/**
 * The caller's Visitor ID, to link to the new account. The gateway mints UUIDs; one longer than
 * AccountRegistered and VisitorLinkedToAccount carry (100 characters) is not a Visitor ID and is left
 * unlinked, rather than failing the sign-up on the event contract.
 */
function linkableVisitorId(visitorId: string | undefined): string | undefined {
  return visitorId && visitorId.length <= 100 ? visitorId : undefined;
}

/** POST /api/v1/accounts (sign-up) and GET /api/v1/me (docs/API.md). */
export function accountRoutes(app: ServiceApp, deps: RegistrationDeps): void {
  app.post(
    '/api/v1/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: "Register an account; links the caller's Visitor ID",
        body: RegisterAccountRequest,
        response: { 201: AccountCreated, 400: ProblemDetails, 409: ProblemDetails, 503: ProblemDetails },
      },
    },
    async (request, reply) => {
      const { email, password, displayName } = request.body;
      const created = await registerAccount(deps, {
        email,
        password,
        displayName,
        role: 'consumer',
        visitorId: linkableVisitorId(request.identity.visitorId),
      });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The signed-in account',
        response: { 200: Me, 401: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request) => {
      const accountId = requireAccount(request);
      const account = await findAccount(deps.pool, accountId);
      if (!account) throw notFound('account_not_found', 'This sign-in has no PackyTrace account.');
      const brand = await brandOfAccount(deps.pool, accountId);
      return {
        accountId,
        email: account.email,
        displayName: account.displayName,
        roles: request.identity.roles,
        ...(brand ? { brandId: brand.brandId } : {}),
      };
    },
  );
}
