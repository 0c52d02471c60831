import {
  ConsentsView,
  InternalConsent,
  ProblemDetails,
  PutConsentRequest,
  ConsentState,
  UuidParam,
} from '@packytrace/contracts';
import {
  badRequest,
  notFound,
  requireAccount,
  withTransaction,
  type Pool,
  type ServiceApp,
} from '@packytrace/service-kit';
import Type from 'typebox';
import { findAccount } from '../db/accounts';
import { appendConsent, consentHistory, currentConsent } from '../db/consents';
import { CONSENT_PURPOSES, foldConsents, isPurpose } from '../domain/consent';
import { announceConsent } from '../events/publish';

export interface ConsentDeps {
  pool: Pool;
  /** The privacy policy version a decision refers to when the caller names none. */
  currentPolicyVersion: string;
}

const PurposeParams = Type.Object({ purpose: Type.String({ maxLength: 50 }) });

function checkPurpose(purpose: string): void {
  if (!isPurpose(purpose))
    throw badRequest('unknown_purpose', `Purposes are: ${CONSENT_PURPOSES.join(', ')}.`);
}

/** Consent routes (docs/API.md): an append-only history, the current state folded from it. */
export function consentRoutes(app: ServiceApp, deps: ConsentDeps): void {
  app.get(
    '/api/v1/me/consents',
    {
      schema: {
        tags: ['consents'],
        summary: 'Current consents and their history',
        response: { 200: ConsentsView, 401: ProblemDetails },
      },
    },
    async (request) => {
      const history = await consentHistory(deps.pool, requireAccount(request));
      return { consents: foldConsents(history), history };
    },
  );

  app.put(
    '/api/v1/me/consents/:purpose',
    {
      schema: {
        tags: ['consents'],
        summary: 'Grant or withdraw a consent; appended to the history, never overwritten',
        params: PurposeParams,
        body: PutConsentRequest,
        response: { 200: ConsentState, 400: ProblemDetails, 401: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request) => {
      const accountId = requireAccount(request);
      const { purpose } = request.params;
      checkPurpose(purpose);
      if (!(await findAccount(deps.pool, accountId)))
        throw notFound('account_not_found', 'This sign-in has no PackyTrace account.');
      const { granted } = request.body;
      const policyVersion = request.body.policyVersion ?? deps.currentPolicyVersion;
      const record = await withTransaction(deps.pool, async (tx) => {
        const appended = await appendConsent(tx, {
          accountId,
          purpose,
          granted,
          policyVersion,
          source: 'account_api',
        });
        await announceConsent(tx, accountId, purpose, granted, policyVersion, appended.seq);
        return appended;
      });
      return { granted: record.granted, policyVersion: record.policyVersion, changedAt: record.changedAt };
    },
  );

  app.get(
    '/internal/accounts/:accountId/consents/:purpose',
    {
      schema: {
        hide: true,
        params: Type.Object({
          accountId: UuidParam,
          purpose: Type.String({ maxLength: 50 }),
        }),
        response: { 200: InternalConsent, 400: ProblemDetails },
      },
    },
    async (request) => currentConsent(deps.pool, request.params.accountId, request.params.purpose),
  );
}
