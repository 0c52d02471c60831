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
