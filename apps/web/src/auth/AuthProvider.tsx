import type { User } from 'oidc-client-ts';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, ApiError } from '../api/client';
import { NETWORK_SENTENCE } from '../api/problems';
import { renewRetryDelay, sessionEnded } from './renewal';
import { BRAND_ROLE, realmRoles } from './roles';
import { userManager, type SignInState } from './userManager';

export interface Auth {
  /** False until the stored session has been read, so pages do not flash "signed out". */
  ready: boolean;
  user: User | null;
  roles: string[];
  isBrandUser: boolean;
  displayName: string | null;
  api: ApiClient;
  signIn(options?: { loginHint?: string; returnTo?: string }): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let active = true;
    userManager
      .getUser()
      .then((stored) => active && setUser(stored && !stored.expired ? stored : null))
      .catch(() => active && setUser(null))
      .finally(() => active && setReady(true));
    // A renewal that failed on the way (network drop, Keycloak briefly down) is tried again: the
    // automatic renewal retries only timeouts, and the refresh token may well still be good.
    let failures = 0;
    let retry: number | undefined;
    const renewLater = () => {
      failures += 1;
      window.clearTimeout(retry);
      retry = window.setTimeout(
        async () => {
          if (!(await userManager.getUser())?.refresh_token) return;
          userManager.signinSilent().then(
            () => (failures = 0),
            (error: unknown) => renewalFailed(error),
          );
        },
        renewRetryDelay(failures) * 1000,
      );
    };
    // Signed out only when Keycloak says the session is over, not stuck with a dead session.
    const renewalFailed = (error: unknown) => {
      if (!active) return;
      if (sessionEnded(error)) void userManager.removeUser();
      else renewLater();
    };
    const events = userManager.events;
    const unsubscribes = [
      events.addUserLoaded((loaded) => {
        failures = 0;
        window.clearTimeout(retry);
        setUser(loaded);
      }),
      events.addUserUnloaded(() => setUser(null)),
      events.addUserSignedOut(() => void userManager.removeUser()),
      events.addSilentRenewError(renewalFailed),
    ];
    return () => {
      active = false;
      window.clearTimeout(retry);
      unsubscribes.forEach((unsubscribe) => unsubscribe());
    };
  }, []);

  const accessToken = useCallback(async (): Promise<string | null> => {
    const current = await userManager.getUser();
    if (!current) return null;
    if (!current.expired) return current.access_token;
    if (!current.refresh_token) {
      await userManager.removeUser(); // nothing to renew it with
      return null;
    }
    try {
      const renewed = await userManager.signinSilent();
      return renewed?.access_token ?? null;
    } catch (error) {
      if (sessionEnded(error)) {
        await userManager.removeUser();
        return null;
      }
      // Still signed in: this call fails as any call does while the network is down.
      throw new ApiError(0, 'network_error', NETWORK_SENTENCE);
    }
  }, []);

  const api = useMemo(() => new ApiClient(accessToken), [accessToken]);

  const signIn = useCallback(async (options: { loginHint?: string; returnTo?: string } = {}) => {
    const state: SignInState = {
      returnTo: options.returnTo ?? window.location.pathname + window.location.search,
    };
    await userManager.signinRedirect({
      state,
      ...(options.loginHint ? { login_hint: options.loginHint } : {}),
    });
  }, []);

  const signOut = useCallback(async () => {
    const current = await userManager.getUser();
    if (!current) return;
    // RP-initiated logout ends the Keycloak session too; id_token_hint lets Keycloak skip its confirmation page.
    await userManager.signoutRedirect({ id_token_hint: current.id_token });
  }, []);

  const value = useMemo<Auth>(() => {
    const roles = realmRoles(user?.access_token);
    const profile = user?.profile;
    // given_name is the display name Identity gave Keycloak (`name` adds a placeholder last name).
    const displayName = (profile?.given_name ?? profile?.preferred_username ?? profile?.email ?? null) as
      string | null;
    return { ready, user, roles, isBrandUser: roles.includes(BRAND_ROLE), displayName, api, signIn, signOut };
  }, [ready, user, api, signIn, signOut]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
