import { HealthProfile, ProblemDetails } from '@packytrace/contracts';
import { forbidden, notFound, requireAccount, type ServiceApp } from '@packytrace/service-kit';
import type { IdentityClient } from '../clients/identity';
import type { ProfileRepository } from '../db/profiles';
import { openProfile, sealProfile } from '../domain/profile-crypto';
import { HEALTH_PROFILE_PURPOSE } from '../events/consents';

export interface ProfileRouteDeps {
  profiles: ProfileRepository;
  identity: IdentityClient;
  profileKey: Buffer;
}

/** The caller's Health Profile (GET/PUT/DELETE /api/v1/me/profile). Never logged: Fastify logs no bodies. */
export function profileRoutes(deps: ProfileRouteDeps) {
  return async (app: ServiceApp) => {
    app.get(
      '/api/v1/me/profile',
      { schema: { tags: ['profile'], response: { 200: HealthProfile, 404: ProblemDetails } } },
      async (request) => {
        const accountId = requireAccount(request);
        const sealed = await deps.profiles.find(accountId);
        if (!sealed) throw notFound('profile_not_found', 'You have no Health Profile.');
        return openProfile(sealed, accountId, deps.profileKey);
      },
    );

    app.put(
      '/api/v1/me/profile',
      {
        schema: {
          tags: ['profile'],
          body: HealthProfile,
          response: { 200: HealthProfile, 403: ProblemDetails, 503: ProblemDetails },
        },
      },
      async (request) => {
        const accountId = requireAccount(request);
        const consent = await deps.identity.consent(accountId, HEALTH_PROFILE_PURPOSE, request.id);
        const stored =
          consent.granted &&
          (await deps.profiles.saveUnderConsent(
            accountId,
            sealProfile(request.body, accountId, deps.profileKey),
            consent.seq,
          ));
        if (!stored) {
          throw forbidden(
            'consent_required',
            'Grant the health_profile consent before storing a Health Profile.',
          );
        }
        return request.body;
      },
    );

    app.delete('/api/v1/me/profile', { schema: { tags: ['profile'] } }, async (request, reply) => {
      const accountId = requireAccount(request);
      await deps.profiles.delete(accountId);
      return reply.status(204).send();
    });
  };
}
