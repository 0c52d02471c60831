/**
 * The web app against the real stack: gateway (PT_GATEWAY_URL, default http://localhost:8080),
 * Keycloak (http://localhost:8081, realm packytrace) and the services with the demo data of
 * docs/development.md. The app is served on :3000, the only origin Keycloak's packytrace-web client
 * redirects to (set PT_WEB_URL to test an app someone else serves there).
 */
import { randomUUID } from 'node:crypto';
import type { Passport, PassportSummary } from '@packytrace/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ean13Png, gs1CheckDigit, saveGenerated } from './support/barcodes';
import {
  type ApiProblem,
  collectApiProblems,
  collectPageErrors,
  horizontalOverflow,
  launchChromium,
  mobileContext,
  screenshot,
} from './support/browser';
import { serveWebApp, type WebApp } from './support/web-app';

const GATEWAY = (process.env.PT_GATEWAY_URL ?? 'http://localhost:8080').replace(/\/$/, '');
const ALPENMILCH = { email: 'brand@alpenmilch.example', password: 'Alpenmilch-dev-2026!', prefix: '4012345' };
const NORDHAVN_PREFIX = '5701234';

let app: WebApp;
let browser: Browser;
let milkProduct: Passport;

beforeAll(async () => {
  const ready = await fetch(`${GATEWAY}/health/ready`).catch(() => null);
  if (!ready?.ok)
    throw new Error(
      `The stack is not running: GET ${GATEWAY}/health/ready answered ${ready?.status ?? 'nothing'}. Start it first.`,
    );
  milkProduct = await findCatalogProduct((p) => p.allergens.includes('milk') && p.gtin.startsWith('0'));
  app = await serveWebApp({ port: 3000 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** A demo product that fits the test, found through the public search API. */
async function findCatalogProduct(fits: (p: Passport) => boolean): Promise<Passport> {
  for (const q of ['milk', 'yoghurt', 'cheese', 'a']) {
    const { items } = (await (await fetch(`${GATEWAY}/api/v1/products?q=${q}&limit=100`)).json()) as {
      items: PassportSummary[];
    };
    for (const item of items) {
      const passport = (await (await fetch(`${GATEWAY}/api/v1/products/${item.gtin}`)).json()) as Passport;
      if (fits(passport)) return passport;
    }
  }
  throw new Error('The demo catalog has no product that fits');
}

const distinct = (problems: ApiProblem[]) => [
  ...new Set(problems.map((p) => `${p.status} ${p.code} ${p.request}`)),
];

async function signInOnKeycloak(page: Page, email: string | null, password: string) {
  await page.waitForURL(/localhost:8081\/realms\/packytrace\//);
  if (email) await page.locator('#username').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#kc-login').click();
  await page.waitForURL((url) => url.origin === app.url);
}

describe('a shopper on the real stack', () => {
  it('registers, signs in on Keycloak, consents, saves a profile, scans, adds to the fridge and consumes', async () => {
    const context = await mobileContext(browser);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const problems = collectApiProblems(page, GATEWAY);
    const email = `web-${randomUUID()}@example.test`;
    const password = `Pt-${randomUUID().slice(0, 8)}-2026!`;

    await page.goto(`${app.url}/register`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Name (optional)').fill('Web Tester');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/localhost:8081/);
    expect(await page.locator('#username').inputValue()).toBe(email); // login_hint prefilled
    await screenshot(page, 'stack-keycloak-login');
    await signInOnKeycloak(page, null, password);

    await page.getByRole('heading', { name: 'Before we store your Health Profile' }).waitFor();
    await screenshot(page, 'stack-consent');
    await page.getByRole('button', { name: /I agree/ }).click();
    await page.getByRole('heading', { name: 'Set up your Health Profile' }).waitFor();
    await page.getByRole('checkbox', { name: 'Milk' }).check();
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your Health Profile is saved.', { exact: false }).waitFor();
    await page.getByText(/Gave consent: Health Profile/).waitFor();
    await screenshot(page, 'stack-profile');

    await page.getByRole('link', { name: 'Scan', exact: true }).click();
    await page.getByLabel('GTIN, GS1 Digital Link or element string').fill(milkProduct.gtin);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: milkProduct.name }).waitFor();
    await page.getByRole('heading', { name: /Not suitable for you/ }).waitFor();
    await page.getByText(/Contains your allergens: Milk/).waitFor();
    await page.locator('.verdict-unsuitable .reasons li', { hasText: /milk/i }).first().waitFor();
    await page.getByText(/^Rule set /).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'stack-passport');

    await page.getByRole('link', { name: 'Scan', exact: true }).click();
    const image = saveGenerated(`ean13-${milkProduct.gtin}.png`, await ean13Png(milkProduct.gtin));
    await page.getByLabel('Choose a photo of a barcode').setInputFiles(image);
    await page.getByRole('heading', { name: milkProduct.name }).waitFor();

    await page.getByRole('button', { name: 'Add to fridge' }).click();
    await page.getByText('Added to your fridge.').waitFor();
    await page.getByRole('link', { name: 'Open your fridge' }).click();
    await page.locator('.fridge-item h3', { hasText: milkProduct.name }).first().waitFor();
    await page
      .getByRole('button', { name: `Consume one ${milkProduct.name}` })
      .first()
      .click();
    await page.getByText(`Consumed 1 × ${milkProduct.name}`).waitFor();
    await page.getByText(`Added 1 × ${milkProduct.name}`).waitFor();
    await screenshot(page, 'stack-fridge');

    // A mistaken consume is taken back by a compensating entry (POST /api/v1/fridge/history/{eventId}/undo).
    await page.getByRole('button', { name: `Undo: Consumed 1 × ${milkProduct.name}` }).click();
    await page.getByText('Undone. A correcting entry was added to your history.').waitFor();
    await page.getByText(`Undid an earlier step for ${milkProduct.name}`).waitFor();
    await page.locator('.fridge-item', { hasText: milkProduct.name }).getByText('1 of 1 left').waitFor();
    await screenshot(page, 'stack-fridge-undone');

    // Both scans (typed and from the image) are in the account's scan list, newest first.
    await page.getByRole('link', { name: 'Scan', exact: true }).click();
    const myScans = page.getByRole('list', { name: 'Your scans' }).getByRole('link');
    await myScans.first().waitFor();
    expect(await myScans.filter({ hasText: milkProduct.name }).count()).toBe(2);
    await screenshot(page, 'stack-my-scans');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
    // The only refusal on this path: no Health Profile yet, before it is saved (asked twice under
    // React's StrictMode when the dev server serves the app).
    expect(distinct(problems)).toEqual(['404 profile_not_found GET /api/v1/me/profile']);
    await context.close();
  });
});

describe('a Brand user on the real stack', () => {
  it('sees the dashboard of their own Brand and cannot publish for another Brand', async () => {
    const context = await mobileContext(browser);
    const page = await context.newPage();
    const problems = collectApiProblems(page, GATEWAY);
    await page.goto(`${app.url}/brand`);
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await signInOnKeycloak(page, ALPENMILCH.email, ALPENMILCH.password);
    await page.getByRole('heading', { name: 'Brand dashboard' }).waitFor();
    await page.locator('.suppressed, .status.empty').first().waitFor();
    const shownGtins = await page.locator('.chart .small').allTextContents();
    for (const text of shownGtins) expect(text).toMatch(new RegExp(`GTIN 0?${ALPENMILCH.prefix}`));
    await screenshot(page, 'stack-brand-dashboard');

    await page.getByRole('link', { name: 'Edit product passports and recalls' }).click();
    await page.locator('.product-list').waitFor();
    const listed = await page.locator('.product-list .small').allTextContents();
    expect(listed.length).toBeGreaterThan(0);
    await screenshot(page, 'stack-brand-products');
    for (const text of listed) expect(text).toMatch(new RegExp(`GTIN 0?${ALPENMILCH.prefix}`));

    // Another Brand's GTIN: the gateway refuses it, and the app says why in a sentence.
    await page.getByRole('button', { name: 'Publish a new product' }).click();
    const form = page.getByRole('form', { name: 'Product passport' });
    const otherBrandGtin = `0${NORDHAVN_PREFIX}99999`;
    await form.getByLabel('GTIN', { exact: true }).fill(otherBrandGtin + gs1CheckDigit(otherBrandGtin));
    await form.getByLabel('Name', { exact: true }).fill('Not ours');
    const nutrition = form.getByRole('group', { name: 'Nutrition per 100 g' });
    for (const input of await nutrition.locator('input').all()) await input.fill('1');
    // No default for the date marking: use-by versus best-before is a safety choice the Brand makes.
    await form.getByRole('radio', { name: /^Best before/ }).check();
    await form.getByLabel('Typical shelf life (days)').fill('10');
    await page.getByRole('button', { name: 'Publish passport' }).click();
    await page
      .getByRole('alert')
      .getByText("This GTIN doesn't belong to your Brand's GS1 company prefixes.")
      .waitFor();
    await screenshot(page, 'stack-brand-outside-scope');
    expect(distinct(problems)).toEqual([
      `403 outside_brand_scope PUT /api/v1/brand/products/${otherBrandGtin}${gs1CheckDigit(otherBrandGtin)}`,
    ]);
    await context.close();
  });
});
