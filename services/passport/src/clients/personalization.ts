import type { Passport, Verdict, VerdictResponse, VerdictStatus } from '@packytrace/contracts';
import { InternalClient, type Logger } from '@packytrace/service-kit';
import CircuitBreaker from 'opossum';

export interface VerdictOutcome {
  verdict: Verdict | null;
  verdictStatus: VerdictStatus;
}

/**
 * Personalization's verdict endpoint behind a short timeout and a circuit breaker: a scan never waits
 * long for a verdict, and while Personalization is failing the breaker answers at once ("unavailable")
 * instead of every scan paying the timeout.
 */
export class PersonalizationClient {
  private readonly http: InternalClient;
  /** Read by the breaker state gauge (`metricsOf(app).trackBreaker`). */
  readonly breaker: CircuitBreaker<[string, Passport, string | undefined], VerdictResponse>;

  constructor(options: {
    baseUrl: string;
    internalSecret: string;
    timeoutMs: number;
    logger: Logger;
    resetTimeoutMs?: number;
  }) {
    this.http = new InternalClient({
      service: 'personalization',
      baseUrl: options.baseUrl,
      internalSecret: options.internalSecret,
      timeoutMs: options.timeoutMs,
    });
    this.breaker = new CircuitBreaker(
      (accountId: string, product: Passport, requestId: string | undefined) =>
        this.ask(accountId, product, requestId),
      {
        // the client's own timeout fires first; this one is a backstop
        timeout: options.timeoutMs + 100,
        errorThresholdPercentage: 50,
        volumeThreshold: 5,
        rollingCountTimeout: 10_000,
        resetTimeout: options.resetTimeoutMs ?? 5_000,
      },
    );
    this.breaker.on('open', () =>
      options.logger.warn('personalization circuit opened: scans return no verdict'),
    );
    this.breaker.on('close', () => options.logger.info('personalization circuit closed'));
  }

  private async ask(accountId: string, product: Passport, requestId?: string): Promise<VerdictResponse> {
    const response = await this.http.call<VerdictResponse>('POST', '/internal/verdicts', {
      body: { accountId, product },
      requestId,
    });
    if (response.status !== 200) throw new Error(`personalization answered ${response.status}`);
    return response.body;
  }

  /** Never throws: any failure is `verdictStatus: "unavailable"`. */
  async verdictFor(accountId: string, product: Passport, requestId?: string): Promise<VerdictOutcome> {
    try {
      const answer = await this.breaker.fire(accountId, product, requestId);
      return answer.status === 'ok'
        ? { verdict: answer.verdict, verdictStatus: 'ok' }
        : { verdict: null, verdictStatus: 'no_profile' };
    } catch {
      return { verdict: null, verdictStatus: 'unavailable' };
    }
  }

  get circuitOpen(): boolean {
    return this.breaker.opened;
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await this.http.close();
  }
}
