/**
 * A shopper's day through the real gateway: visitor cookie, anonymous scan, registration, consent,
 * Health Profile, a personal verdict on a Digital Link with batch and expiry, the fridge, and the
 * withdrawal of consent that (event-driven) removes the profile.
 */
import { waitFor } from '@packytrace/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { Caller, freshEmail, freshPassword, newShopper, requireStack, search } from './support';

beforeAll(requireStack);

/** A date `days` from now as GS1 AI 17 wants it (YYMMDD) and as the API answers it (YYYY-MM-DD). */
function expiryIn(days: number): { yymmdd: string; iso: string } {
  const iso = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  return { iso, yymmdd: iso.slice(2).replaceAll('-', '') };
}

async function aMilkProduct(): Promise<string> {
  for (const item of await search('milk')) {
    const passport = (await new Caller().get(`/api/v1/products/${item.gtin}`)).body;
    if (passport.allergens?.includes('milk')) return item.gtin;
  }
  throw new Error('the demo catalog has no product with the milk allergen');
}

describe("a shopper's day", () => {
  it('goes from anonymous visitor to a fridge and back out of the Health Profile', async () => {
    const shopper = new Caller();
    const gtin = await aMilkProduct();

    // Any request gives a browser its pseudonymous Visitor ID.
    const first = await shopper.get('/api/v1/verdict-rules');
    expect(first.status).toBe(200);
    expect(shopper.cookie, 'the gateway set no pt_vid cookie').toMatch(/^pt_vid=.+/);
    const setCookie = first.headers.getSetCookie().find((c) => c.startsWith('pt_vid='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    const vidCookie = shopper.cookie;

    // Anonymous scan: a passport, but no verdict.
    const anonymous = await shopper.post('/api/v1/scans', { code: gtin });
    expect(anonymous.status, JSON.stringify(anonymous.body)).toBe(201);
    expect(anonymous.body.verdictStatus).toBe('anonymous');
    expect(anonymous.body.verdict).toBeNull();
    expect(anonymous.body.passport.gtin).toBe(gtin);
    expect(shopper.cookie, 'a valid pt_vid should be kept, not replaced').toBe(vidCookie);

    // Register with that cookie, then sign in.
    const email = freshEmail('shopper');
    const password = freshPassword();
    const registered = await shopper.post('/api/v1/accounts', {
      email,
      password,
      displayName: 'Stack Shopper',
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body.email).toBe(email);
    const accountId: string = registered.body.accountId;
    await shopper.signIn(email, password);

    const me = await shopper.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ accountId, email, displayName: 'Stack Shopper' });
    expect(me.body.brandId ?? null).toBeNull();

    // No Health Profile without consent.
    const profile = { allergens: ['milk'], diets: [], limits: { sugars: 5 } };
    const refused = await shopper.put('/api/v1/me/profile', profile);
    expect(refused.status).toBe(403);
    expect(refused.contentType).toMatch(/application\/problem\+json/);
    expect(refused.body.code).toBe('consent_required');

    const granted = await shopper.put('/api/v1/me/consents/health_profile', { granted: true });
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    const consents = await shopper.get('/api/v1/me/consents');
    expect(consents.status).toBe(200);
    expect(consents.body.consents.health_profile).toMatchObject({ granted: true });
    expect(consents.body.consents.health_profile.changedAt).toEqual(expect.any(String));
    expect(consents.body.history).toEqual(
      expect.arrayContaining([expect.objectContaining({ purpose: 'health_profile', granted: true })]),
    );

    const saved = await shopper.put('/api/v1/me/profile', profile);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await shopper.get('/api/v1/me/profile')).body).toMatchObject(profile);

    // A Digital Link with batch (AI 10) and expiry (AI 17): a personal verdict.
    const expiry = expiryIn(12);
    const batch = `L${Date.now().toString(36).toUpperCase().slice(-6)}`;
    const link = `https://id.gs1.org/01/${gtin}/10/${batch}?17=${expiry.yymmdd}`;
    const scan = await shopper.post('/api/v1/scans', { code: link });
    expect(scan.status, JSON.stringify(scan.body)).toBe(201);
    expect(scan.body.identifier).toMatchObject({ gtin, batch, expiry: expiry.iso });
    expect(scan.body.verdictStatus).toBe('ok');
    expect(scan.body.verdict.rating).toBe('unsuitable');
    expect(scan.body.verdict.ruleSetVersion).toEqual(expect.any(String));
    expect(scan.body.verdict.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'allergen_present', message: expect.any(String) }),
      ]),
    );
    const scanId: string = scan.body.scanId;

    const scans = await shopper.get('/api/v1/me/scans');
    expect(scans.status).toBe(200);
    expect(scans.body.items[0]).toMatchObject({ scanId, identifier: { gtin, batch }, product: { gtin } });

    // Into the fridge, with the expiry printed in the code.
    const added = await shopper.post('/api/v1/fridge/items', { scanId, quantity: 3 });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({
      scanId,
      gtin,
      batch,
      expiry: expiry.iso,
      expirySource: 'code',
      quantity: 3,
      remaining: 3,
      status: 'in_fridge',
    });
    const itemId: string = added.body.itemId;

    const consumed = await shopper.post(`/api/v1/fridge/items/${itemId}/consume`, { quantity: 1 });
    expect(consumed.status, JSON.stringify(consumed.body)).toBe(200);
    expect(consumed.body).toMatchObject({ itemId, remaining: 2, status: 'in_fridge' });

    const tooMuch = await shopper.post(`/api/v1/fridge/items/${itemId}/consume`, { quantity: 5 });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.contentType).toMatch(/application\/problem\+json/);
    expect(tooMuch.body.code).toBe('insufficient_quantity');

    const fridge = await shopper.get('/api/v1/fridge');
    expect(fridge.body.items).toEqual([expect.objectContaining({ itemId, remaining: 2 })]);

    const history = await shopper.get('/api/v1/fridge/history');
    expect(history.status).toBe(200);
    const mine = (
      history.body.events as { itemId: string; type: string; occurredAt: string; quantity?: number }[]
    ).filter((e) => e.itemId === itemId);
    expect(mine.map((e) => e.type)).toEqual(['ItemAdded', 'ItemConsumed']);
    expect(mine[1]!.quantity).toBe(1);
    expect(Date.parse(mine[0]!.occurredAt)).toBeLessThanOrEqual(Date.parse(mine[1]!.occurredAt));

    // Somebody else cannot put my scan into their fridge.
    const stranger = await newShopper('stranger');
    const stolen = await stranger.caller.post('/api/v1/fridge/items', { scanId });
    expect(stolen.status).toBe(404);
    expect(stolen.contentType).toMatch(/application\/problem\+json/);

    // Withdrawing consent removes the profile (Identity → Kafka → Personalization).
    const withdrawn = await shopper.put('/api/v1/me/consents/health_profile', { granted: false });
    expect(withdrawn.status).toBe(200);
    const gone = await waitFor(
      async () => {
        const reply = await shopper.get('/api/v1/me/profile');
        return reply.status === 404 ? reply : undefined;
      },
      30_000,
      'the Health Profile to be deleted after consent was withdrawn',
      500,
    );
    expect(gone.body.code).toBe('profile_not_found');
    const after = await shopper.get('/api/v1/me/consents');
    expect(after.body.consents.health_profile.granted).toBe(false);
    expect(
      after.body.history.filter((h: { purpose: string }) => h.purpose === 'health_profile'),
    ).toHaveLength(2);
  });
});
