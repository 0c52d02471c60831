/** The services behind the gateway. */
export type Upstream = 'identity' | 'passport' | 'personalization' | 'fridge' | 'brand-analytics';

type Rule = { match: 'exact' | 'prefix'; path: string; upstream: Upstream; below?: string };

/**
 * Which service owns each public path of docs/API.md. `prefix` matches the path itself and anything
 * below it (`/api/v1/products` and `/api/v1/products/{gtin}`), never a longer sibling name.
 * More specific rules come first.
 */
const rules: Rule[] = [
  { match: 'exact', path: '/api/v1/accounts', upstream: 'identity' },
  { match: 'prefix', path: '/api/v1/me/consents', upstream: 'identity' },
  { match: 'exact', path: '/api/v1/me/scans', upstream: 'passport' },
  { match: 'exact', path: '/api/v1/me/profile', upstream: 'personalization' },
  { match: 'exact', path: '/api/v1/me', upstream: 'identity' },
  { match: 'prefix', path: '/api/v1/admin', upstream: 'identity' },
  { match: 'prefix', path: '/api/v1/products', upstream: 'passport' },
  { match: 'prefix', path: '/api/v1/scans', upstream: 'passport' },
  { match: 'prefix', path: '/api/v1/brand/products', upstream: 'passport' },
  { match: 'prefix', path: '/api/v1/brand/metrics', upstream: 'brand-analytics' },
  { match: 'prefix', path: '/api/v1/verdict-rules', upstream: 'personalization' },
  { match: 'prefix', path: '/api/v1/fridge', upstream: 'fridge' },
];
// Built once: the route lookup runs on every request.
for (const rule of rules) if (rule.match === 'prefix') rule.below = `${rule.path}/`;

export const UPSTREAMS: Upstream[] = ['identity', 'passport', 'personalization', 'fridge', 'brand-analytics'];

// Only for resolving paths the way the forwarding does; never contacted.
const RESOLVE_BASE = 'http://gateway.invalid';

/**
 * True when a URL parser leaves the path as it is. The forwarded URL is parsed (WHATWG URL), which
 * reads `\` as `/` and resolves `.`, `..`, `%2e` segments: a path it would change could reach a path
 * the route table never allowed (e.g. `/api/v1/fridge\..\..\..\internal/…`), so it is refused.
 */
function isCanonical(path: string): boolean {
  try {
    return new URL(path, RESOLVE_BASE).pathname === path;
  } catch {
    return false;
  }
}

/** The owning service of a request path (query string ignored), or undefined for no public route. */
export function upstreamFor(url: string): Upstream | undefined {
  const path = pathOf(url);
  if (!isCanonical(path)) return undefined;
  for (const rule of rules) {
    if (path === rule.path || (rule.below !== undefined && path.startsWith(rule.below))) return rule.upstream;
  }
  return undefined;
}

/**
 * The public route a request path falls under, as a bounded metric and span label: the rule's path,
 * with `/*` when the request is below it (`/api/v1/products/*`); never the raw path, which holds ids.
 */
export function routePatternOf(url: string): string | undefined {
  const path = pathOf(url);
  for (const rule of rules) {
    if (path === rule.path) return rule.path;
    if (rule.below !== undefined && path.startsWith(rule.below)) return `${rule.path}/*`;
  }
  return undefined;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** Brand routes get the caller's Brand from Identity (never from the caller). */
export function isBrandScoped(url: string): boolean {
  return pathOf(url).startsWith('/api/v1/brand/');
}
