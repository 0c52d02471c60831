import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const VISITOR_COOKIE = 'pt_vid';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `<visitorId>.<HMAC-SHA256(visitorId) base64url>`: the gateway alone can mint a Visitor ID (RFC 2104). */
export function signVisitorId(visitorId: string, secret: string): string {
  return `${visitorId}.${mac(visitorId, secret)}`;
}

/** The Visitor ID of a cookie value, or undefined when it is missing, malformed or tampered with. */
export function verifyVisitorCookie(value: string | undefined, secret: string): string | undefined {
  if (!value) return undefined;
  const dot = value.indexOf('.');
  const visitorId = value.slice(0, dot);
  if (dot < 0 || !UUID.test(visitorId)) return undefined;
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(mac(visitorId, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? visitorId : undefined;
}

export const newVisitorId = (): string => randomUUID();

function mac(visitorId: string, secret: string): string {
  return createHmac('sha256', secret).update(visitorId).digest('base64url');
}

/**
 * Cookie checks with a memory: a value that passed its HMAC check once maps straight to its Visitor ID
 * (a Map lookup instead of 3–9 µs of HMAC on every request of a returning visitor). Only values that
 * verified are kept, so nothing a caller invents is ever accepted from it; the oldest go first past `max`.
 */
export class VisitorCookies {
  private readonly verified = new Map<string, string>();

  constructor(
    private readonly secret: string,
    private readonly max = 50_000,
  ) {}

  /** The Visitor ID of a cookie value, or undefined when it is missing, malformed or tampered with. */
  verify(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const known = this.verified.get(value);
    if (known !== undefined) return known;
    const visitorId = verifyVisitorCookie(value, this.secret);
    if (visitorId === undefined) return undefined;
    if (this.verified.size >= this.max) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(value, visitorId);
    return visitorId;
  }

  sign(visitorId: string): string {
    return signVisitorId(visitorId, this.secret);
  }

  get size(): number {
    return this.verified.size;
  }
}
