import type { User } from 'oidc-client-ts';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient } from '../api/client';
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
    const events = userManager.events;
    const unsubscribes = [
      events.addUserLoaded((loaded) => setUser(loaded)),
      events.addUserUnloaded(() => setUser(null)),
      events.addUserSignedOut(() => void userManager.removeUser()),
      // A refresh that fails (session ended in Keycloak) leaves the user signed out, not stuck.
      events.addSilentRenewError(() => void userManager.removeUser()),
    ];
    return () => {
      active = false;
      unsubscribes.forEach((unsubscribe) => unsubscribe());
    };
  }, []);

  const accessToken = useCallback(async (): Promise<string | null> => {
    const current = await userManager.getUser();
    if (!current) return null;
    if (!current.expired) return current.access_token;
    try {
      const renewed = await userManager.signinSilent();
      return renewed?.access_token ?? null;
    } catch {
      await userManager.removeUser();
      return null;
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
