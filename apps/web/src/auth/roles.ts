/**
 * Keycloak puts realm roles in the access token's `realm_access.roles` claim (Keycloak Server
 * Administration Guide, "Realm roles" and the "roles" client scope). The UI only uses them to decide
 * what to show; the gateway enforces them.
 */
export function realmRoles(accessToken: string | undefined | null): string[] {
  const payload = decodeJwtPayload(accessToken);
  const roles = (payload?.realm_access as { roles?: unknown } | undefined)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

export function decodeJwtPayload(token: string | undefined | null): Record<string, unknown> | null {
  const part = token?.split('.')[1];
  if (!part) return null;
  try {
    const base64 = part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const BRAND_ROLE = 'brand_user';
