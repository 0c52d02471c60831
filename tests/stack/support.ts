/* eslint-disable @typescript-eslint/no-explicit-any -- replies are JSON of any route; each test asserts the fields it needs */
/**
 * Plain-fetch helpers for the stack tests: a tiny client that keeps the gateway's `pt_vid` cookie
 * like a browser would, Keycloak password grants (public client `packytrace-cli`), and fresh users.
 */
import { randomUUID } from 'node:crypto';
import { tokenGrant } from '@packytrace/testing';

export const GATEWAY = (process.env.PT_GATEWAY_URL ?? 'http://localhost:8080').replace(/\/$/, '');
export const KEYCLOAK_URL = (process.env.PT_KEYCLOAK_URL ?? 'http://localhost:8081').replace(/\/$/, '');
export const REALM = process.env.PT_KEYCLOAK_REALM ?? 'packytrace';

export const BRANDS = {
  nordhavn: {
    email: 'brand@nordhavn.example',
    password: 'Nordhavn-dev-2026!',
    prefix: '5701234',
    id: '8a1f2c3d-0000-4000-8000-000000000001',
  },
  alpenmilch: {
    email: 'brand@alpenmilch.example',
    password: 'Alpenmilch-dev-2026!',
    prefix: '4012345',
    id: '8a1f2c3d-0000-4000-8000-000000000002',
  },
  verdeValle: {
    email: 'brand@verdevalle.example',
    password: 'VerdeValle-dev-2026!',
    prefix: '8437001',
    id: '8a1f2c3d-0000-4000-8000-000000000003',
  },
} as const;

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  contentType: string;
  body: T;
}

/** Fails the file fast, with a message a person can act on, when the stack is not up. */
export async function requireStack(): Promise<void> {
  const ready = await fetch(`${GATEWAY}/health/ready`).catch((error: Error) => error);
  if (ready instanceof Error || ready.status !== 200) {
    const why = ready instanceof Error ? ready.message : `${ready.status} ${await ready.text()}`;
    throw new Error(
      `The PackyTrace stack is not ready: GET ${GATEWAY}/health/ready → ${why}. Start it (npm start) first.`,
    );
  }
}

/** One caller: a browser-like cookie jar for `pt_vid`, and optionally a bearer token. */
export class Caller {
  cookie: string | null = null;
  token: string | null = null;

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const sent: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.cookie) sent.cookie = this.cookie;
    if (this.token) sent.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      sent['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${GATEWAY}${path}`, { method, headers: sent, body: payload });
    const vid = response.headers.getSetCookie().find((c) => c.startsWith('pt_vid='));
    if (vid) this.cookie = vid.split(';')[0]!;
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, contentType, body: parse(text) as T };
  }

  get = <T = any>(path: string, headers?: Record<string, string>) =>
    this.request<T>('GET', path, undefined, headers);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', path, body ?? {}, headers);
  put = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('PUT', path, body ?? {}, headers);

  async signIn(email: string, password: string): Promise<this> {
    this.token = await passwordGrant(email, password);
    return this;
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** Resource-owner password grant on the dev realm's `packytrace-cli` client (direct access grants). */
export async function passwordGrant(email: string, password: string): Promise<string> {
  return (await tokenGrant(`${KEYCLOAK_URL}/realms/${REALM}`, email, password)).accessToken;
}

export const freshEmail = (tag: string) => `stack-${tag}-${randomUUID()}@example.test`;
export const freshPassword = () => `Pt-${randomUUID().slice(0, 8)}-Aa1!`;

/** A new visitor who got a `pt_vid`, registered through the gateway and signed in. */
export async function newShopper(tag: string): Promise<{ caller: Caller; email: string; accountId: string }> {
  const caller = new Caller();
  await caller.get('/api/v1/verdict-rules');
  const email = freshEmail(tag);
  const password = freshPassword();
  const created = await caller.post('/api/v1/accounts', { email, password });
  if (created.status !== 201)
    throw new Error(`registration failed: ${created.status} ${JSON.stringify(created.body)}`);
  await caller.signIn(email, password);
  return { caller, email, accountId: created.body.accountId };
}

/** GS1 mod-10 check digit for the data digits of a GTIN (GS1 General Specifications §7.9.1). */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const fromRight = digits.length - i;
    sum += Number(digits[i]) * (fromRight % 2 === 1 ? 3 : 1);
  }
  return String((10 - (sum % 10)) % 10);
}

/** A product summary as GET /api/v1/products returns it. */
export interface Summary {
  gtin: string;
  name: string;
  brand: { id: string | null; name: string };
}

export async function search(q: string, limit = 100): Promise<Summary[]> {
  const reply = await new Caller().get<{ items: Summary[] }>(
    `/api/v1/products?q=${encodeURIComponent(q)}&limit=${limit}`,
  );
  if (reply.status !== 200) throw new Error(`search ${q} → ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.items;
}
