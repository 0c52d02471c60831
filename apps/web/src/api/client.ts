/**
 * The one client for the gateway (the app talks to nothing else, docs/API.md). Every call sends the
 * `pt_vid` Visitor ID cookie (credentials: 'include') and, when signed in, the bearer token.
 * Failures become an ApiError carrying a human sentence.
 */
import { config } from '../config';
import type { BrandProductItem } from '../domain/passportForm';
import { NETWORK_SENTENCE, problemSentenceWithDetail } from './problems';
import type {
  AccountCreated,
  BrandMetrics,
  BrandProductInput,
  ConsentsView,
  DiscardReason,
  FridgeHistoryPage,
  FridgeItem,
  FridgeView,
  Granularity,
  HealthProfile,
  Me,
  Passport,
  PassportSummary,
  ProblemDetails,
  Recall,
  RegisterAccountRequest,
  ScanList,
  ScanResult,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly sentence: string,
    readonly problem?: Partial<ProblemDetails>,
  ) {
    super(sentence);
    this.name = 'ApiError';
  }
}

export type TokenSource = () => Promise<string | null>;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export class ApiClient {
  constructor(
    private readonly token: TokenSource,
    private readonly baseUrl: string = config.apiUrl,
  ) {}

  // Scanning and the catalog
  scan(code: string): Promise<ScanResult> {
    return this.call('POST', '/api/v1/scans', { code });
  }
  searchProducts(q: string, limit = 20): Promise<{ items: PassportSummary[] }> {
    return this.call('GET', `/api/v1/products?${new URLSearchParams({ q, limit: String(limit) })}`);
  }
  product(gtin: string): Promise<Passport> {
    return this.call('GET', `/api/v1/products/${encodeURIComponent(gtin)}`);
  }

  /** The caller's scans, newest first; pass the previous page's `nextCursor` for older ones. */
  myScans(cursor?: string): Promise<ScanList> {
    const query = new URLSearchParams({ limit: '20', ...(cursor ? { cursor } : {}) });
    return this.call('GET', `/api/v1/me/scans?${query}`);
  }

  // Accounts and consent
  register(body: RegisterAccountRequest): Promise<AccountCreated> {
    return this.call('POST', '/api/v1/accounts', body);
  }
  me(): Promise<Me> {
    return this.call('GET', '/api/v1/me');
  }
  consents(): Promise<ConsentsView> {
    return this.call('GET', '/api/v1/me/consents');
  }
  setConsent(purpose: string, granted: boolean, policyVersion: string): Promise<unknown> {
    return this.call('PUT', `/api/v1/me/consents/${encodeURIComponent(purpose)}`, { granted, policyVersion });
  }

  // Health Profile
  profile(): Promise<HealthProfile> {
    return this.call('GET', '/api/v1/me/profile');
  }
  saveProfile(profile: HealthProfile): Promise<HealthProfile> {
    return this.call('PUT', '/api/v1/me/profile', profile);
  }
  deleteProfile(): Promise<void> {
    return this.call('DELETE', '/api/v1/me/profile');
  }

  // Fridge
  fridge(): Promise<FridgeView> {
    return this.call('GET', '/api/v1/fridge');
  }
  addToFridge(scanId: string, quantity?: number): Promise<FridgeItem> {
    return this.call('POST', '/api/v1/fridge/items', quantity ? { scanId, quantity } : { scanId }, true);
  }
  consume(itemId: string, quantity?: number): Promise<FridgeItem> {
    return this.call(
      'POST',
      `/api/v1/fridge/items/${encodeURIComponent(itemId)}/consume`,
      quantity ? { quantity } : {},
      true,
    );
  }
  discard(itemId: string, reason: DiscardReason): Promise<FridgeItem> {
    return this.call('POST', `/api/v1/fridge/items/${encodeURIComponent(itemId)}/discard`, { reason }, true);
  }
  fridgeHistory(cursor?: string): Promise<FridgeHistoryPage> {
    const query = cursor ? `?${new URLSearchParams({ cursor })}` : '';
    return this.call('GET', `/api/v1/fridge/history${query}`);
  }
  /** Books a compensating BookingUndone event (the history itself is append-only). */
  undo(eventId: string): Promise<FridgeItem> {
    return this.call('POST', `/api/v1/fridge/history/${encodeURIComponent(eventId)}/undo`, {}, true);
  }

  // Brand
  brandProducts(): Promise<{ items: (PassportSummary & BrandProductItem)[] }> {
    return this.call('GET', '/api/v1/brand/products');
  }
  publishProduct(gtin: string, input: BrandProductInput): Promise<Passport> {
    return this.call('PUT', `/api/v1/brand/products/${encodeURIComponent(gtin)}`, input);
  }
  recall(gtin: string, body: { batch?: string; reason: string }): Promise<Recall> {
    return this.call('POST', `/api/v1/brand/products/${encodeURIComponent(gtin)}/recalls`, body);
  }
  brandMetrics(query: { from: string; to: string; granularity: Granularity }): Promise<BrandMetrics> {
    return this.call('GET', `/api/v1/brand/metrics?${new URLSearchParams(query)}`);
  }

  /**
   * `retrySafely`: the booking carries an Idempotency-Key and is retried once after a network failure,
   * so a lost answer never books twice (the fridge service replays the first response).
   */
  private async call<T>(method: Method, path: string, body?: unknown, retrySafely = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (retrySafely) headers['idempotency-key'] = crypto.randomUUID();
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const send = () =>
      fetch(this.baseUrl + path, {
        method,
        headers,
        credentials: 'include',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let response: Response;
    try {
      response = await send().catch((error: unknown) => (retrySafely ? send() : Promise.reject(error)));
    } catch {
      throw new ApiError(0, 'network_error', NETWORK_SENTENCE);
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  let problem: Partial<ProblemDetails> = {};
  try {
    problem = (await response.json()) as Partial<ProblemDetails>;
  } catch {
    // A proxy's HTML error page: the status alone decides the sentence.
  }
  const withStatus = { ...problem, status: response.status };
  return new ApiError(
    response.status,
    problem.code ?? `http_${response.status}`,
    problemSentenceWithDetail(withStatus),
    problem,
  );
}

/** The sentence for anything thrown by a call, for components that only show it. */
export function errorSentence(error: unknown): string {
  if (error instanceof ApiError) return error.sentence;
  return 'Something went wrong in the app. Reload the page and try again.';
}
