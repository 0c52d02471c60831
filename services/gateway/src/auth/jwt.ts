import { Problem, unauthorized } from '@packytrace/service-kit';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { VerifiedTokenCache } from './verified-tokens';

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
  /** Most verified tokens remembered (default 10 000); 0 verifies every request from scratch. */
  cacheMax?: number;
}

const ROLE_NAME = /^[a-z0-9_-]+$/i;
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

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
  const verifyOptions = {
    algorithms: ['RS256'],
    issuer: settings.issuer,
    audience: settings.audience,
    clockTolerance: settings.clockToleranceSeconds ?? 30,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'azp'],
  };
  const verify = async (token: string): Promise<{ caller: VerifiedCaller; exp: number }> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, verifyOptions));
    } catch (error) {
      throw verificationProblem(error);
    }
    if (typeof payload.azp !== 'string' || !settings.allowedClients.includes(payload.azp))
      throw invalidToken();
    // Keycloak marks access tokens `typ: Bearer`; ID and refresh tokens must not pass as access tokens.
    if (payload.typ !== undefined && payload.typ !== 'Bearer') throw invalidToken();
    return { caller: { accountId: payload.sub!, roles: realmRoles(payload) }, exp: payload.exp! };
  };
  const cacheMax = settings.cacheMax ?? 10_000;
  if (cacheMax === 0) return async (token) => (await verify(token)).caller;
  return cachedVerifier(
    verify,
    new VerifiedTokenCache({ max: cacheMax, maxTtlMs: 5 * 60_000, negativeMax: 1_000, negativeTtlMs: 5_000 }),
  );
}

/**
 * Verification with a memory of exact token strings; concurrent requests with one new token share
 * one verification instead of each checking the signature.
 */
function cachedVerifier(
  verify: (token: string) => Promise<{ caller: VerifiedCaller; exp: number }>,
  cache: VerifiedTokenCache,
): (token: string) => Promise<VerifiedCaller> {
  const inFlight = new Map<string, Promise<VerifiedCaller>>();
  const verifyAndRemember = async (token: string): Promise<VerifiedCaller> => {
    try {
      const { caller, exp } = await verify(token);
      cache.rememberValid(token, caller, exp);
      return caller;
    } catch (error) {
      if (error instanceof Problem) cache.rememberInvalid(token, error);
      throw error;
    } finally {
      inFlight.delete(token);
    }
  };
  return (token) => {
    const known = cache.lookup(token);
    if (known) return 'caller' in known ? Promise.resolve(known.caller) : Promise.reject(known.refusal);
    let pending = inFlight.get(token);
    if (!pending) {
      pending = verifyAndRemember(token);
      inFlight.set(token, pending);
    }
    return pending;
  };
}

function realmRoles(payload: JWTPayload): string[] {
  const roles = (payload.realm_access as { roles?: unknown } | undefined)?.roles;
  return Array.isArray(roles)
    ? roles.filter((r): r is string => typeof r === 'string' && ROLE_NAME.test(r))
    : [];
}

/**
 * A token that fails a check is the caller's problem (401); Keycloak's keys being unreachable or
 * unreadable is ours (503): a timeout, a refused connection, an answer other than 200, a body that is
 * not a key set (jose reports the last two as its generic JOSEError, or JWKSInvalid).
 */
function verificationProblem(error: unknown): Problem {
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof errors.JOSEError && error.code === errors.JOSEError.code) ||
    (error instanceof TypeError && !(error instanceof errors.JOSEError))
  ) {
    return new Problem(
      503,
      'upstream_unavailable',
      'Service unavailable',
      'Sign-in cannot be checked right now; try again shortly.',
    );
  }
  if (error instanceof errors.JWTExpired) return invalidToken('The access token has expired.');
  return invalidToken();
}

/** The token of an `Authorization: Bearer` header (RFC 6750 2.1); anything else there is invalid. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw invalidToken('Send one Authorization header.');
  const match = BEARER.exec(header.trim());
  if (!match) throw invalidToken('Use the Bearer scheme.');
  return match[1];
}
