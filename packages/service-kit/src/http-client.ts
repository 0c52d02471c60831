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
 * The instances of a service from its URL setting (`PT_IDENTITY_URL=http://a:8101,http://b:8101`):
 * trimmed, empty entries dropped, each an http(s) URL, so a bad setting stops the service at start.
 */
function instancesOf(service: string, setting: string): URL[] {
  const entries = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new Error(`${service}: the URL setting lists no URL ("${setting}")`);
  return entries.map((entry) => {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.host)
      throw new Error(`${service}: "${entry}" in the URL setting is not an http(s) URL`);
    return url;
  });
}

/**
 * Connection failures that mean nothing reached the instance, so even a POST may go to the next one
 * (the same set as the gateway's proxy).
 */
const REFUSED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** How long an instance that refused a connection is passed over (as the gateway's proxy does). */
const LEFT_OUT_MS = 5_000;

function isRefused(error: unknown): boolean {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return REFUSED.has(code ?? cause?.code ?? '');
}

/**
 * Internal HTTP between services: explicit timeouts (never undici's 300 s defaults), the internal
 * token on every call, and the caller's identity forwarded as trusted headers. `baseUrl` may list
 * several instances: calls take them in turn, and one that refuses the connection is left out for a
 * few seconds while the call goes to the next.
 */
export class InternalClient {
  private readonly dispatcher: Agent;
  private readonly instances: URL[];
  private next = 0;
  private readonly downUntil = new Map<URL, number>();

  constructor(
    private readonly options: {
      service: string;
      /** One URL or a comma-separated list of the service's instances. */
      baseUrl: string;
      internalSecret: string;
      timeoutMs?: number;
    },
  ) {
    this.instances = instancesOf(options.service, options.baseUrl);
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

  /** One deadline for the whole call; a refused connection is tried on each other instance once. */
  private async send<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: CallOptions,
    headers: Record<string, string>,
    timeout: number,
  ): Promise<InternalResponse<T>> {
    const signal = AbortSignal.timeout(timeout);
    const tried = new Set<URL>();
    for (;;) {
      const instance = this.pick(tried);
      tried.add(instance);
      try {
        return await this.attempt<T>(new URL(path, instance), method, options, headers, timeout, signal);
      } catch (error) {
        if (!isRefused(error)) throw this.unavailable(error);
        this.markDown(instance);
        if (tried.size >= this.instances.length) throw this.unavailable(error);
      }
    }
  }

  private async attempt<T>(
    url: URL,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    options: CallOptions,
    headers: Record<string, string>,
    timeout: number,
    signal: AbortSignal,
  ): Promise<InternalResponse<T>> {
    const response = await request(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      dispatcher: this.dispatcher,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal,
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
  }

  private unavailable(error: unknown): UpstreamUnavailable {
    // The deadline's abort is a DOMException, whose `code` is a number (23): its `name` tells.
    const { code, name } = error as { code?: unknown; name?: string };
    const timedOut =
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      name === 'TimeoutError' ||
      name === 'AbortError';
    return new UpstreamUnavailable(this.options.service, timedOut ? 'timeout' : 'unreachable', error);
  }

  /** The next instance in turn not yet `tried` by this call, preferring those not left out. */
  private pick(tried: ReadonlySet<URL>): URL {
    const now = Date.now();
    const count = this.instances.length;
    let fallback: number | undefined;
    for (let step = 0; step < count; step++) {
      const index = (this.next + step) % count;
      const instance = this.instances[index]!;
      if (tried.has(instance)) continue;
      if ((this.downUntil.get(instance) ?? 0) > now) {
        fallback ??= index;
        continue;
      }
      this.next = (index + 1) % count;
      return instance;
    }
    // Every instance left is out: try one anyway (better than refusing the call outright).
    const index = fallback ?? this.next;
    this.next = (index + 1) % count;
    return this.instances[index]!;
  }

  private markDown(instance: URL): void {
    if (this.instances.length > 1) this.downUntil.set(instance, Date.now() + LEFT_OUT_MS);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
