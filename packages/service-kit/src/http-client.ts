import { IdentityHeaders, INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER } from '@packytrace/contracts';
import { Agent, request } from 'undici';
import { withClientSpan } from './tracing';

/** The other service could not be reached or did not answer in time. */
export class UpstreamUnavailable extends Error {
  constructor(
    readonly service: string,
    readonly reason: 'timeout' | 'unreachable',
    cause?: unknown,
  ) {
    super(`${service} ${reason}`, { cause });
    this.name = 'UpstreamUnavailable';
  }
}

export interface InternalResponse<T> {
  status: number;
  body: T;
}

export interface CallOptions {
  body?: unknown;
  accountId?: string;
  visitorId?: string;
  brandId?: string;
  roles?: string[];
  requestId?: string;
  timeoutMs?: number;
}

/**
 * Internal HTTP between services: explicit timeouts (never undici's 300 s defaults), the internal
 * token on every call, and the caller's identity forwarded as trusted headers.
 */
export class InternalClient {
  private readonly dispatcher: Agent;

  constructor(
    private readonly options: {
      service: string;
      baseUrl: string;
      internalSecret: string;
      timeoutMs?: number;
    },
  ) {
    this.dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000, connectTimeout: 1_000 });
  }

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: CallOptions = {},
  ): Promise<InternalResponse<T>> {
    const timeout = options.timeoutMs ?? this.options.timeoutMs ?? 2_000;
    const headers: Record<string, string> = {
      [INTERNAL_TOKEN_HEADER]: this.options.internalSecret,
      accept: 'application/json',
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.accountId) headers[IdentityHeaders.accountId] = options.accountId;
    if (options.visitorId) headers[IdentityHeaders.visitorId] = options.visitorId;
    if (options.brandId) headers[IdentityHeaders.brandId] = options.brandId;
    if (options.roles?.length) headers[IdentityHeaders.roles] = options.roles.join(',');
    if (options.requestId) headers[REQUEST_ID_HEADER] = options.requestId;
    // A client span (and `traceparent` in `headers`) when tracing is on; the path stays out of it, as
    // it may hold an account id.
    return withClientSpan(
      `${method} ${this.options.service}`,
      { 'http.request.method': method, 'peer.service': this.options.service },
      headers,
      async (span) => {
        const response = await this.send<T>(method, path, options, headers, timeout);
        span?.setAttribute('http.response.status_code', response.status);
        return response;
      },
    );
  }

  private async send<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: CallOptions,
    headers: Record<string, string>,
    timeout: number,
  ): Promise<InternalResponse<T>> {
    try {
      const response = await request(new URL(path, this.options.baseUrl), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        dispatcher: this.dispatcher,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      const text = await response.body.text();
      return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
    } catch (error) {
      const code = (error as { code?: string; name?: string }).code ?? (error as { name?: string }).name;
      const timedOut =
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'TimeoutError' ||
        code === 'AbortError';
      throw new UpstreamUnavailable(this.options.service, timedOut ? 'timeout' : 'unreachable', error);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
