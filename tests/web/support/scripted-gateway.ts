/// <reference lib="dom" />
/**
 * A scripted stand-in for the gateway, used only by the smoke test: it lets the browser render every
 * screen (with data) while the services are not running, and records what the app sent. The contract
 * shapes come from @packytrace/contracts; the real gateway is exercised by stack.e2e.ts.
 */
import type {
  BrandMetricsResponse,
  FridgeHistoryEntry,
  FridgeItem,
  FridgeView,
  HealthProfile,
  Passport,
  ScanResult,
} from '@packytrace/contracts';
import type { Page, Request, Route } from 'playwright-core';

// Not the app's default (http://localhost:8080): the app finds it only through /config.js, which the
// smoke test's server is given (serveWebApp's apiUrl), so the test fails if the runtime configuration
// does not reach the browser.
export const GATEWAY = 'http://gateway.smoke.test:8080';

/** GS1 element string: AI 01, optional AI 17, then AI 10 up to the GS separator (FNC1, ASCII 29). */
const GROUP_SEPARATOR = String.fromCharCode(29);
const BATCH_AFTER_GTIN = new RegExp(`01\\d{14}(?:17\\d{6})?10([^${GROUP_SEPARATOR}]+)`);

export const MILK_PASSPORT: Passport = {
  gtin: '04012345000016',
  name: 'Alpine whole milk yoghurt, strawberry',
  brand: { id: '8a1f2c3d-0000-4000-8000-000000000002', name: 'Alpenmilch' },
  category: 'yoghurt',
  quantity: '500 g',
  ingredients: [
    'whole MILK',
    'strawberries (12%)',
    'sugar',
    'skimmed milk powder',
    'cream',
    'lemon juice concentrate',
  ],
  allergens: ['milk'],
  traces: ['nuts'],
  labels: ['vegetarian'],
  nutrition: {
    energyKcal: 102,
    fat: 3.4,
    saturatedFat: 2.2,
    carbohydrates: 13.5,
    sugars: 12.9,
    fiber: 0.3,
    protein: 3.6,
    salt: 0.12,
  },
  packaging: [
    { material: 'PP cup', recyclable: true },
    { material: 'aluminium lid', recyclable: true },
  ],
  origin: 'Austria',
  nutriScore: { grade: 'C', points: 4, version: '2023' },
  recalls: [],
};

export interface GatewayScript {
  scanCodes: string[];
  signedIn: boolean;
  healthConsent: boolean;
  profile: HealthProfile;
  /** The analytics consent; PUT /api/v1/me/consents/analytics changes it. */
  analyticsConsent?: boolean;
}

const json = (route: Route, status: number, body: unknown, origin: string) =>
  route.fulfill({
    status,
    contentType: status >= 400 ? 'application/problem+json' : 'application/json',
    headers: corsHeaders(origin),
    body: JSON.stringify(body),
  });

const problem = (code: string, status: number, detail: string) => ({
  type: 'about:blank',
  title: code,
  status,
  code,
  detail,
});

function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'authorization, content-type, accept',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE',
  };
}

export function scanResult(
  code: string,
  identifier: ScanResult['identifier'] = { gtin: MILK_PASSPORT.gtin },
): ScanResult {
  return {
    scanId: '5b7a1a56-0000-4000-8000-0000000000a1',
    scannedAt: '2026-11-20T10:00:00Z',
    identifier,
    passport: MILK_PASSPORT,
    verdict: {
      rating: 'unsuitable',
      reasons: [
        { code: 'allergen_present', message: 'Contains milk, which is in your Health Profile.' },
        { code: 'allergen_traces', message: 'May contain traces of tree nuts.' },
        {
          code: 'nutrient_over_limit',
          message: 'Sugars 12.9 g per 100 g is over your limit of 10 g.',
          facts: { nutrient: 'sugars' },
        },
      ],
      ruleSetVersion: '2026.1',
    },
    verdictStatus: code ? 'ok' : 'anonymous',
  };
}

export async function scriptGateway(page: Page, origin: string, script: GatewayScript): Promise<void> {
  await page.route(`${GATEWAY}/**`, async (route: Route, request: Request) => {
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: corsHeaders(origin) });
    const url = new URL(request.url());
    const answer = answerFor(request.method(), url, request, script);
    return json(route, answer.status, answer.body, origin);
  });
}

function answerFor(
  method: string,
  url: URL,
  request: Request,
  script: GatewayScript,
): { status: number; body: unknown } {
  const path = url.pathname;
  const key = `${method} ${path}`;
  if (key === 'POST /api/v1/scans') {
    const { code } = request.postDataJSON() as { code: string };
    script.scanCodes.push(code);
    if (!code.includes('4012345000016'))
      return { status: 404, body: problem('product_not_found', 404, `No product with GTIN ${code}`) };
    const batch = BATCH_AFTER_GTIN.exec(code.replace(/[()]/g, ''))?.[1];
    const result = scanResult(code, { gtin: MILK_PASSPORT.gtin, ...(batch ? { batch } : {}) });
    return {
      status: 201,
      body: script.signedIn ? result : { ...result, verdict: null, verdictStatus: 'anonymous' },
    };
  }
  if (key === 'GET /api/v1/products')
    return { status: 200, body: { items: url.searchParams.get('q') ? [MILK_PASSPORT] : [] } };
  if (key === `GET /api/v1/products/${MILK_PASSPORT.gtin}`) return { status: 200, body: MILK_PASSPORT };
  if (key === 'GET /api/v1/me/profile') return { status: 200, body: script.profile };
  if (key === 'GET /api/v1/me/consents') {
    const health = {
      granted: script.healthConsent,
      policyVersion: script.healthConsent ? '2026-11' : null,
      changedAt: script.healthConsent ? '2026-11-19T09:00:00Z' : null,
    };
    return {
      status: 200,
      body: {
        consents: {
          health_profile: health,
          analytics: {
            granted: script.analyticsConsent ?? true,
            policyVersion: '2026-11',
            changedAt: '2026-11-19T09:00:00Z',
          },
        },
        history: [
          {
            purpose: 'analytics',
            granted: true,
            policyVersion: '2026-11',
            changedAt: '2026-11-19T09:00:00Z',
            source: 'web',
          },
          ...(script.healthConsent
            ? [
                {
                  purpose: 'health_profile',
                  granted: true,
                  policyVersion: '2026-11',
                  changedAt: '2026-11-19T09:01:00Z',
                  source: 'web',
                },
              ]
            : []),
        ],
      },
    };
  }
  if (key === 'PUT /api/v1/me/consents/analytics') {
    const { granted, policyVersion } = request.postDataJSON() as { granted: boolean; policyVersion: string };
    script.analyticsConsent = granted;
    return { status: 200, body: { granted, policyVersion, changedAt: new Date().toISOString() } };
  }
  if (key === 'GET /api/v1/me/scans') {
    const item = {
      scanId: scanResult('x').scanId,
      scannedAt: '2026-11-20T10:00:00Z',
      identifier: { gtin: MILK_PASSPORT.gtin },
    };
    const product = { gtin: MILK_PASSPORT.gtin, name: MILK_PASSPORT.name, brand: MILK_PASSPORT.brand };
    return { status: 200, body: { items: script.signedIn ? [{ ...item, product }] : [], nextCursor: null } };
  }
  if (key === 'GET /api/v1/fridge') return { status: 200, body: FRIDGE };
  if (key === 'GET /api/v1/fridge/history')
    return { status: 200, body: { events: HISTORY, nextCursor: null } };
  if (key === 'GET /api/v1/brand/products') return { status: 200, body: { items: [MILK_PASSPORT] } };
  if (key === 'GET /api/v1/brand/metrics') return { status: 200, body: METRICS };
  return { status: 404, body: problem('not_found', 404, `${key} is not scripted`) };
}

const item = (
  itemId: string,
  name: string,
  expiry: string,
  recalled: { reason: string; batch?: string } | null,
): FridgeItem => ({
  itemId,
  scanId: itemId,
  gtin: MILK_PASSPORT.gtin,
  name,
  brand: MILK_PASSPORT.brand,
  batch: 'L2611A',
  expiry,
  expiryKind: 'use_by',
  expirySource: 'code',
  quantity: 2,
  remaining: 1,
  status: 'in_fridge',
  recalled,
  addedAt: '2026-11-18T10:00:00Z',
});

const today = new Date();
const inDays = (days: number) => new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
const FRIDGE: FridgeView = {
  items: [
    item('a0000000-0000-4000-8000-000000000001', 'Alpine whole milk yoghurt, strawberry', inDays(1), null),
    item('a0000000-0000-4000-8000-000000000002', 'Rye bread', inDays(6), null),
    item('a0000000-0000-4000-8000-000000000003', 'Smoked salmon', inDays(3), {
      reason: 'Possible Listeria contamination',
      batch: 'L2611A',
    }),
  ],
  expiringSoon: [
    item('a0000000-0000-4000-8000-000000000001', 'Alpine whole milk yoghurt, strawberry', inDays(1), null),
  ],
};
const HISTORY: FridgeHistoryEntry[] = [
  {
    eventId: 'e0000000-0000-4000-8000-000000000001',
    itemId: FRIDGE.items[0]!.itemId,
    seq: 1,
    type: 'ItemAdded',
    occurredAt: '2026-11-18T10:00:00Z',
    item: { ...FRIDGE.items[0]!, quantity: 2 },
  },
  {
    eventId: 'e0000000-0000-4000-8000-000000000002',
    itemId: FRIDGE.items[0]!.itemId,
    seq: 2,
    type: 'ItemConsumed',
    occurredAt: '2026-11-19T08:00:00Z',
    quantity: 1,
  },
];
const METRICS: BrandMetricsResponse = {
  brandId: MILK_PASSPORT.brand.id!,
  from: new Date(today.getTime() - 7 * 86_400_000).toISOString(),
  to: today.toISOString(),
  granularity: 'day',
  series: [
    {
      gtin: MILK_PASSPORT.gtin,
      points: Array.from({ length: 7 }, (_, i) => ({
        t: new Date(today.getTime() - (6 - i) * 86_400_000).toISOString(),
        scans: 20 + i * 3,
        distinctSubjects: 12 + i,
        fridgeAdds: 8 + (i % 3),
        consumed: 5 + (i % 2),
        discarded: i % 3 === 0 ? 0 : 2,
      })),
    },
  ],
  suppressedCells: 4,
  minGroupSize: 5,
};

/** A signed-in session as oidc-client-ts stores it (sessionStorage, key oidc.user:<authority>:<client_id>). */
export async function fakeSignedInSession(page: Page, roles: string[]): Promise<void> {
  const payload = Buffer.from(
    JSON.stringify({ sub: 'demo', realm_access: { roles }, name: 'Demo Shopper' }),
  ).toString('base64url');
  const accessToken = `e30.${payload}.sig`;
  const user = {
    access_token: accessToken,
    id_token: accessToken,
    token_type: 'Bearer',
    scope: 'openid',
    profile: {
      sub: 'demo',
      name: 'Demo Shopper',
      iss: 'http://localhost:8081/realms/packytrace',
      aud: 'packytrace-web',
      exp: 4102444800,
      iat: 1,
    },
    expires_at: 4102444800,
  };
  await page.addInitScript((stored) => {
    sessionStorage.setItem('oidc.user:http://localhost:8081/realms/packytrace:packytrace-web', stored);
  }, JSON.stringify(user));
}
