/**
 * Typed problems mapped to RFC 9457 problem+json in one place (the kit's error handler).
 * `code` is stable and snake_case; `detail` is for humans.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }

  toJSON(): Record<string, unknown> {
    return {
      type: `https://packytrace.dev/problems/${this.code.replaceAll('_', '-')}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      code: this.code,
      ...this.extensions,
    };
  }
}

export const badRequest = (code: string, detail: string, extensions?: Record<string, unknown>) =>
  new Problem(400, code, 'Bad request', detail, extensions);
export const unauthorized = (code = 'authentication_required', detail = 'Sign in to use this route.') =>
  new Problem(401, code, 'Unauthorized', detail);
export const forbidden = (code: string, detail: string) => new Problem(403, code, 'Forbidden', detail);
export const notFound = (code: string, detail: string) => new Problem(404, code, 'Not found', detail);
export const conflict = (code: string, detail: string) => new Problem(409, code, 'Conflict', detail);
export const serviceUnavailable = (code: string, detail: string) =>
  new Problem(503, code, 'Service unavailable', detail);

/**
 * PostgreSQL restarting or gone (node-postgres errors, SQLSTATE class 08 and 57P01-03): the request
 * may succeed when retried, so 503 rather than 500 (docs/reliability.md, "PostgreSQL restarted").
 */
export function databaseUnavailable(e: { code?: string; message?: string }): boolean {
  if (/^08/.test(e.code ?? '') || ['57P01', '57P02', '57P03'].includes(e.code ?? '')) return true;
  return /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/.test(
    e.message ?? '',
  );
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/**
 * A failure that says nothing about the work itself, only that a dependency is away for now: the
 * database or another service unreachable, or a 503 problem. Retrying later can succeed.
 */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof Problem) return error.status === 503;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: string; message?: string; errors?: unknown[] };
  // node-postgres reports a refused connection to "localhost" (two addresses) as an AggregateError.
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every(isTransientFailure);
  return databaseUnavailable(e) || CONNECTION_ERRORS.has(e.code ?? '');
}
