import { Problem, unauthorized } from '@packytrace/service-kit';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

export interface VerifiedCaller {
  accountId: string;
  roles: string[];
}

export interface JwtSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
  allowedClients: string[];
  clockToleranceSeconds?: number;
}

const invalidToken = (detail = 'The access token is not valid.') => unauthorized('invalid_token', detail);

/**
 * Verifies Keycloak access tokens (RFC 7519 / RFC 8725 best practices): RS256 only, signature against
 * the realm's JWKS (cached; an unknown `kid` refetches at most once per cooldown), `iss`, `exp`/`nbf`
 * with a small skew, `aud` containing the API and `azp` one of our clients. Missing claims fail.
 */
export function createJwtVerifier(settings: JwtSettings): (token: string) => Promise<VerifiedCaller> {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 2_000,
  });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: ['RS256'],
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'azp'],
      }));
    } catch (error) {
      throw verificationProblem(error);
    }
    if (typeof payload.azp !== 'string' || !settings.allowedClients.includes(payload.azp)) throw invalidToken();
    // Keycloak marks access tokens `typ: Bearer`; ID and refresh tokens must not pass as access tokens.
    if (payload.typ !== undefined && payload.typ !== 'Bearer') throw invalidToken();
    return { accountId: payload.sub!, roles: realmRoles(payload) };
  };
}

function realmRoles(payload: JWTPayload): string[] {
  const roles = (payload.realm_access as { roles?: unknown } | undefined)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string' && /^[a-z0-9_-]+$/i.test(r)) : [];
}

/** A token that fails a check is the caller's problem (401); Keycloak's keys being unreachable is ours (503). */
function verificationProblem(error: unknown): Problem {
  if (error instanceof errors.JWKSTimeout || (error instanceof TypeError && !(error instanceof errors.JOSEError))) {
    return new Problem(503, 'upstream_unavailable', 'Service unavailable', 'Sign-in cannot be checked right now; try again shortly.');
  }
  if (error instanceof errors.JWTExpired) return invalidToken('The access token has expired.');
  return invalidToken();
}

/** The token of an `Authorization: Bearer` header (RFC 6750 2.1); anything else there is invalid. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw invalidToken('Send one Authorization header.');
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  if (!match) throw invalidToken('Use the Bearer scheme.');
  return match[1];
}
