/**
 * Sign-in with Keycloak's own page: OpenID Connect authorization code flow with PKCE (RFC 7636),
 * which oidc-client-ts does by default for response_type=code. Tokens renew in the background with
 * the refresh token before the access token (5 minutes in the realm) expires.
 */
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { config } from '../config';

export const CALLBACK_PATH = '/callback';

export const userManager = new UserManager({
  authority: config.oidc.authority,
  client_id: config.oidc.clientId,
  redirect_uri: `${config.oidc.appOrigin}${CALLBACK_PATH}`,
  post_logout_redirect_uri: `${config.oidc.appOrigin}/`,
  response_type: 'code',
  scope: 'openid',
  automaticSilentRenew: true,
  // Session storage: the tokens leave with the tab, and no other site's script can read them.
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  loadUserInfo: false,
});

/** Where to go after the Keycloak round trip; carried in the OIDC `state`. */
export interface SignInState {
  returnTo: string;
}
