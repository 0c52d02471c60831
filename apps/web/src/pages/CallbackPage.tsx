import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { userManager, type SignInState } from '../auth/userManager';
import { ErrorMessage, Loading } from '../components/Status';
import { usePageTitle } from '../components/usePageTitle';

/** Keycloak sends the browser back here with the authorization code; oidc-client-ts swaps it for tokens. */
export function CallbackPage() {
  usePageTitle('Signing in');
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  const handled = useRef(false);
  useEffect(() => {
    // React's StrictMode runs effects twice in development; the code can be redeemed only once.
    if (handled.current) return;
    handled.current = true;
    userManager
      .signinCallback()
      .then((user) => {
        const state = user?.state as SignInState | undefined;
        navigate(state?.returnTo && state.returnTo !== '/callback' ? state.returnTo : '/', { replace: true });
      })
      .catch(() => setFailed(true));
  }, [navigate]);
  return failed ? (
    <ErrorMessage
      sentence="Signing in didn't complete. Try again."
      onRetry={() => void userManager.signinRedirect()}
    />
  ) : (
    <Loading label="Signing you in" />
  );
}
