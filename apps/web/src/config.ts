import type { RuntimeConfig } from '../server/runtime-config';

/**
 * Where the app finds the gateway and Keycloak: set when the app is served, by /config.js (see
 * server/runtime-config.ts), so one build runs anywhere. The defaults are the local stack's.
 */
const served = (globalThis as { __PACKYTRACE_CONFIG__?: RuntimeConfig }).__PACKYTRACE_CONFIG__;

export const config = {
  apiUrl: served?.apiUrl ?? 'http://localhost:8080',
  oidc: {
    authority: served?.oidc.authority ?? 'http://localhost:8081/realms/packytrace',
    clientId: served?.oidc.clientId ?? 'packytrace-web',
    appOrigin: window.location.origin,
  },
  /** The consent text's version; bump it when the wording in ConsentStep changes. */
  healthPolicyVersion: '2026-11',
  analyticsPolicyVersion: '2026-11',
} as const;
