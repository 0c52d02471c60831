/** Where the app finds the gateway and Keycloak; Vite inlines VITE_* variables at build time. */
const env = import.meta.env;

export const config = {
  apiUrl: (env.VITE_API_URL ?? 'http://localhost:8080').replace(/\/$/, ''),
  oidc: {
    authority: env.VITE_OIDC_AUTHORITY ?? 'http://localhost:8081/realms/packytrace',
    clientId: env.VITE_OIDC_CLIENT_ID ?? 'packytrace-web',
    appOrigin: env.VITE_APP_ORIGIN ?? window.location.origin,
  },
  /** The consent text's version; bump it when the wording in ConsentStep changes. */
  healthPolicyVersion: '2026-11',
  analyticsPolicyVersion: '2026-11',
} as const;
