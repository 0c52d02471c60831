/**
 * Where the browser finds the gateway and Keycloak, decided when the app is served, not when it is built:
 * one image runs on a laptop (localhost) and behind a public host name alike. The server writes these
 * values into `/config.js`, which index.html loads before the app (src/config.ts reads them).
 */
export interface RuntimeConfig {
  apiUrl: string;
  oidc: { authority: string; clientId: string };
}

/** The global `/config.js` sets; src/config.ts reads the same name. */
export const RUNTIME_CONFIG_GLOBAL = '__PACKYTRACE_CONFIG__';

export function runtimeConfigFrom(env: NodeJS.ProcessEnv): RuntimeConfig {
  return {
    apiUrl: absoluteUrl(env.PT_WEB_API_URL ?? 'http://localhost:8080', 'PT_WEB_API_URL'),
    oidc: {
      authority: absoluteUrl(
        env.PT_WEB_OIDC_AUTHORITY ?? 'http://localhost:8081/realms/packytrace',
        'PT_WEB_OIDC_AUTHORITY',
      ),
      clientId: env.PT_WEB_OIDC_CLIENT_ID ?? 'packytrace-web',
    },
  };
}

/** The script body of `/config.js`; `<` is escaped so no value can end a script element. */
export function runtimeConfigScript(config: RuntimeConfig): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `window.${RUNTIME_CONFIG_GLOBAL} = Object.freeze(${json});\n`;
}

/** An http(s) URL without a trailing slash; anything else stops the server at start, naming the variable. */
function absoluteUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${name} must be an absolute http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}
