import { InternalClient, serviceUnavailable, UpstreamUnavailable } from '@packytrace/service-kit';

export interface ConsentState {
  granted: boolean;
  policyVersion: string | null;
  /** Identity's sequence number of the decision this state comes from (absent: no decision yet). */
  seq?: number;
}

/** Identity's internal consent endpoint (GET /internal/accounts/{id}/consents/{purpose}). */
export class IdentityClient {
  private readonly http: InternalClient;

  constructor(options: { baseUrl: string; internalSecret: string; timeoutMs?: number }) {
    this.http = new InternalClient({
      service: 'identity',
      timeoutMs: options.timeoutMs ?? 1_000,
      ...options,
    });
  }

  /** The consent state; throws 503 `identity_unavailable` when Identity cannot answer. */
  async consent(accountId: string, purpose: string, requestId?: string): Promise<ConsentState> {
    try {
      const path = `/internal/accounts/${encodeURIComponent(accountId)}/consents/${encodeURIComponent(purpose)}`;
      const response = await this.http.call<ConsentState>('GET', path, { requestId });
      if (response.status === 404) return { granted: false, policyVersion: null };
      if (response.status !== 200 || typeof response.body?.granted !== 'boolean') {
        throw new UpstreamUnavailable('identity', 'unreachable', new Error(`status ${response.status}`));
      }
      return response.body;
    } catch (error) {
      if (error instanceof UpstreamUnavailable || error instanceof SyntaxError) {
        throw serviceUnavailable(
          'identity_unavailable',
          'Consent cannot be checked right now; nothing was stored. Try again later.',
        );
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
