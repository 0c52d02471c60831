import KcAdminClient from '@keycloak/keycloak-admin-client';
import { badRequest, conflict, Problem } from '@packytrace/service-kit';

export interface KeycloakSettings {
  baseUrl: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
}

export interface NewUser {
  email: string;
  password: string;
}

/** A realm user as far as Identity needs it: its id and when Keycloak created it (epoch ms). */
export interface DirectoryUser {
  id: string;
  createdAt?: number;
}

const UNAVAILABLE_DETAIL = 'Sign-up is unavailable right now; try again shortly.';

/** Keycloak could not be reached or failed; the request cannot be completed now. */
export const keycloakUnavailable = () =>
  new Problem(503, 'identity_provider_unavailable', 'Service unavailable', UNAVAILABLE_DETAIL);

/**
 * A create request that got no clear answer (timed out, connection reset, 5xx): Keycloak may have
 * created the user all the same. For the caller it is the same 503 as `keycloakUnavailable`;
 * `sentAt` (epoch ms, taken just before the request went out) bounds when such a user was created.
 */
export class UserCreationUncertain extends Problem {
  constructor(
    readonly sentAt: number,
    cause: unknown,
  ) {
    super(503, 'identity_provider_unavailable', 'Service unavailable', UNAVAILABLE_DETAIL);
    this.cause = cause;
  }
}

/**
 * The realm's users through the Keycloak Admin REST API, as the confidential `identity-service`
 * client (client credentials grant against the `packytrace` realm itself, not master).
 * https://www.keycloak.org/docs-api/latest/rest-api/index.html#_users
 */
export class KeycloakDirectory {
  private readonly kc: KcAdminClient;
  private tokenExpiresAt = 0;
  private authenticating?: Promise<void>;
  private readonly roleIds = new Map<string, string>();

  constructor(private readonly settings: KeycloakSettings) {
    this.kc = new KcAdminClient({
      baseUrl: settings.baseUrl,
      realmName: settings.realm,
      timeout: settings.timeoutMs ?? 5_000,
    });
  }

  /** Re-authenticates shortly before the service-account token expires (no refresh token for client credentials). */
  private async session(): Promise<KcAdminClient> {
    if (Date.now() < this.tokenExpiresAt - 30_000) return this.kc;
    this.authenticating ??= this.kc
      .auth({
        grantType: 'client_credentials',
        clientId: this.settings.clientId,
        clientSecret: this.settings.clientSecret,
      })
      .then(() => {
        const payload = JSON.parse(
          Buffer.from(this.kc.accessToken!.split('.')[1]!, 'base64url').toString(),
        ) as { exp: number };
        this.tokenExpiresAt = payload.exp * 1000;
      })
      .finally(() => {
        this.authenticating = undefined;
      });
    await this.authenticating.catch((error) => {
      throw Object.assign(keycloakUnavailable(), { cause: error });
    });
    return this.kc;
  }

  /** Creates an enabled user whose username is the email; returns the Keycloak user id. */
  async createUser(user: NewUser): Promise<string> {
    const kc = await this.session();
    const sentAt = Date.now();
    try {
      const { id } = await kc.users.create({
        username: user.email,
        email: user.email,
        emailVerified: true,
        enabled: true,
        // No first or last name: the display name lives in Identity's database only, and the realm's
        // user profile makes both optional (infra/keycloak/realm-packytrace.json, "components").
        credentials: [{ type: 'password', value: user.password, temporary: false }],
      });
      return id;
    } catch (error) {
      throw mapCreateError(error, sentAt);
    }
  }

  async assignRealmRole(userId: string, roleName: string): Promise<void> {
    const kc = await this.session();
    let roleId = this.roleIds.get(roleName);
    if (!roleId) {
      const role = await kc.roles.findOneByName({ name: roleName });
      if (!role?.id) throw new Error(`realm role ${roleName} does not exist`);
      roleId = role.id;
      this.roleIds.set(roleName, roleId);
    }
    await kc.users.addRealmRoleMappings({ id: userId, roles: [{ id: roleId, name: roleName }] });
  }

  async findUserIdByEmail(email: string): Promise<string | undefined> {
    return (await this.findUserByEmail(email))?.id;
  }

  /** The realm user with this email (compared case-insensitively), if any. */
  async findUserByEmail(email: string): Promise<DirectoryUser | undefined> {
    const kc = await this.session();
    const users = await kc.users.find({ email, exact: true });
    const user = users.find((u) => u.email?.toLowerCase() === email.toLowerCase());
    return user?.id ? { id: user.id, createdAt: user.createdTimestamp } : undefined;
  }

  async userExists(userId: string): Promise<boolean> {
    const kc = await this.session();
    return (await kc.users.findOne({ id: userId })) != null;
  }

  /** Compensation: removes a user whose registration could not be completed; one already gone is fine. */
  async deleteUser(userId: string): Promise<void> {
    const kc = await this.session();
    try {
      await kc.users.del({ id: userId });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}

/** The HTTP status of a failed Admin API call; undefined when no answer arrived. */
const statusOf = (error: unknown) => (error as { response?: { status?: number } }).response?.status;

/** Failures before the request left this process: Keycloak cannot have seen it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Keycloak answers 409 for a taken username/email and 400 with the policy message for a weak password. */
function mapCreateError(error: unknown, sentAt: number): Error {
  const e = error as {
    cause?: { code?: string };
    responseData?: { errorMessage?: string; error?: string; error_description?: string };
  };
  const status = statusOf(error);
  // No answer (timeout, reset) or a server error: the user may exist although the call failed.
  if (status === undefined ? !NOT_SENT.has(e.cause?.code ?? '') : status >= 500)
    return new UserCreationUncertain(sentAt, error);
  const message = e.responseData?.errorMessage ?? e.responseData?.error ?? '';
  if (status === 409) return conflict('email_taken', 'An account with this email already exists.');
  if (status === 400 && /password/i.test(message)) {
    // Keycloak names the broken rule in error_description ("Invalid password: minimum length 10.").
    return badRequest(
      'weak_password',
      e.responseData?.error_description ?? 'The password does not meet the password policy.',
    );
  }
  if (status === 400 && /email/i.test(message)) return badRequest('invalid_email', message);
  if (status === 400) return badRequest('invalid_request', 'The account details were refused.');
  return Object.assign(keycloakUnavailable(), { cause: error });
}
