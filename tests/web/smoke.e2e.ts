/**
 * The web app in a real Chromium at 360 px, with the gateway scripted (support/scripted-gateway.ts)
 * so it runs without the services: every screen renders without sideways scrolling or script errors,
 * barcodes are decoded from an uploaded image and from the (fake) camera, and problems read as
 * sentences. Screenshots go to artifacts/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barcodeVideo, ean13Png, gs1DataMatrixPng, saveGenerated } from './support/barcodes';
import {
  collectPageErrors,
  horizontalOverflow,
  launchChromium,
  launchChromiumWithCamera,
  mobileContext,
  screenshot,
} from './support/browser';
import {
  fakeSignedInSession,
  GATEWAY,
  MILK_PASSPORT,
  scriptGateway,
  type GatewayScript,
} from './support/scripted-gateway';
import { serveWebApp, type WebApp } from './support/web-app';

let app: WebApp;
let browser: Browser;

beforeAll(async () => {
  app = await serveWebApp({ apiUrl: GATEWAY });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface Opened {
  page: Page;
  context: BrowserContext;
  script: GatewayScript;
  errors: string[];
}

async function open(options: {
  signedIn: boolean;
  roles?: string[];
  healthConsent?: boolean;
  on?: Browser;
}): Promise<Opened> {
  const context = await mobileContext(options.on ?? browser);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  const script: GatewayScript = {
    scanCodes: [],
    signedIn: options.signedIn,
    healthConsent: options.healthConsent ?? true,
    profile: { allergens: ['milk', 'nuts'], diets: ['vegetarian'], limits: { sugars: 10 } },
  };
  await scriptGateway(page, app.url, script);
  if (options.signedIn) await fakeSignedInSession(page, options.roles ?? ['consumer']);
  return { page, context, script, errors };
}

async function expectFitsPhone(opened: Opened, name: string) {
  await opened.page.locator('h1').first().waitFor();
  expect(await horizontalOverflow(opened.page), `${name} scrolls sideways at 360 px`).toBeLessThanOrEqual(0);
  expect(opened.errors, `${name} threw`).toEqual([]);
  await screenshot(opened.page, name);
}

describe('the web app at 360 px', () => {
  it('renders every screen for a signed-out visitor', async () => {
    const opened = await open({ signedIn: false });
    const screens: [string, string, RegExp][] = [
      ['/', 'scan', /Scan a product/],
      ['/search?q=yoghurt', 'search', /Search products/],
      [`/products/${MILK_PASSPORT.gtin}`, 'product', /Alpine whole milk yoghurt/],
      ['/register', 'register', /Create an account/],
      ['/fridge', 'fridge-signed-out', /Your fridge/],
      ['/profile', 'profile-signed-out', /Health Profile/],
      ['/brand', 'brand-signed-out', /Brand dashboard/],
      ['/no-such-page', 'not-found', /Page not found/],
    ];
    for (const [path, name, heading] of screens) {
      await opened.page.goto(app.url + path);
      await expect.poll(() => opened.page.locator('h1').first().textContent()).toMatch(heading);
      await expectFitsPhone(opened, name);
    }
    await opened.page.goto(`${app.url}/fridge`);
    await opened.page.getByRole('button', { name: 'Sign in' }).nth(1).waitFor();
    await opened.context.close();
  });

  it('a typed GTIN opens the passport with the verdict and the user allergens highlighted', async () => {
    const opened = await open({ signedIn: true });
    const { page } = opened;
    await page.goto(app.url);
    await page.getByLabel('GTIN, GS1 Digital Link or element string').fill('40 12345 000016');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: /Not suitable for you/ }).waitFor();
    expect(opened.script.scanCodes).toEqual(['4012345000016']);
    // The highlights need the user's Health Profile, which may arrive after the verdict: wait for them.
    const marks = async () =>
      (await page.locator('.ingredients mark').allTextContents()).map((m) =>
        m.replace(/\(your allergen.*\)/, '').trim(),
      );
    await expect.poll(marks).toEqual(['MILK', 'skimmed milk', 'cream']);
    await expect.poll(() => page.getByText('Contains your allergens: Milk.').count()).toBe(1);
    await page.getByText('Rule set 2026.1').waitFor();
    await page.getByRole('img', { name: 'Nutri-Score C' }).waitFor();
    await expectFitsPhone(opened, 'passport');
    await opened.context.close();
  });

  it('an unknown product and a network failure read as sentences', async () => {
    const opened = await open({ signedIn: false });
    const { page } = opened;
    await page.goto(app.url);
    await page.getByLabel('GTIN, GS1 Digital Link or element string').fill('05701234000013');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('alert').getByText("This product isn't in the PackyTrace catalog yet.").waitFor();
    await page.unroute(`${GATEWAY}/**`);
    await page.route(`${GATEWAY}/**`, (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Look up' }).click();
    await page
      .getByRole('alert')
      .getByText(/PackyTrace can't be reached/)
      .waitFor();
    await screenshot(page, 'scan-error');
    await opened.context.close();
  });

  it('an uploaded EAN-13 image is decoded in the browser and looked up', async () => {
    const opened = await open({ signedIn: false });
    const { page } = opened;
    const image = saveGenerated('ean13-4012345000016.png', await ean13Png(MILK_PASSPORT.gtin));
    await page.goto(app.url);
    await page.getByLabel('Choose a photo of a barcode').setInputFiles(image);
    await page.getByRole('heading', { name: MILK_PASSPORT.name }).waitFor();
    expect(opened.script.scanCodes).toEqual(['4012345000016']);
    // Signed out: the passport says why there is no verdict.
    await page
      .getByText('Sign in and set up a Health Profile to get a personal verdict on products.')
      .waitFor();
    await screenshot(page, 'passport-anonymous');
    await opened.context.close();
  });

  it('a photo the browser cannot decode says so and leaves the controls usable', async () => {
    const opened = await open({ signedIn: false });
    const { page } = opened;
    // The path where BarcodeDetector exists (Chromium on Linux has none): createImageBitmap rejects.
    await page.addInitScript(() => {
      (window as unknown as { BarcodeDetector: unknown }).BarcodeDetector = class {
        static getSupportedFormats = async () => ['ean_13'];
        detect = async () => [];
      };
    });
    await page.goto(app.url);
    const broken = saveGenerated('not-an-image.png', Buffer.from('this is not a PNG'));
    await page.getByLabel('Choose a photo of a barcode').setInputFiles(broken);
    await page
      .getByRole('alert')
      .getByText(/We couldn't find a barcode in that image/)
      .waitFor({ timeout: 5_000 });
    expect(await page.getByLabel('Choose a photo of a barcode').isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Look up' }).isEnabled()).toBe(true);
    expect(opened.errors).toEqual([]);
    await opened.context.close();
  });

  it('after signing in from an anonymous result, the code is scanned again as the account', async () => {
    const opened = await open({ signedIn: false });
    const { page } = opened;
    await page.goto(app.url);
    await page.getByLabel('GTIN, GS1 Digital Link or element string').fill(MILK_PASSPORT.gtin);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('button', { name: 'Sign in to add to your fridge' }).waitFor();
    const resultUrl = page.url();
    // How Keycloak's round trip ends: the account's session stored, back on the same result page.
    opened.script.signedIn = true;
    await fakeSignedInSession(page, ['consumer']);
    await page.reload();
    await page.getByRole('heading', { name: /Not suitable for you/ }).waitFor();
    await page.getByRole('button', { name: 'Add to fridge' }).waitFor();
    expect(opened.script.scanCodes).toEqual([MILK_PASSPORT.gtin, MILK_PASSPORT.gtin]);
    expect(page.url()).toBe(resultUrl); // the scripted gateway answers every scan with the same id
    expect(opened.errors).toEqual([]);
    await opened.context.close();
  });

  it('an uploaded GS1 DataMatrix keeps its batch and expiry for the service', async () => {
    const opened = await open({ signedIn: true });
    const { page } = opened;
    const image = saveGenerated(
      'gs1-datamatrix.png',
      await gs1DataMatrixPng(`(01)${MILK_PASSPORT.gtin}(17)261231(10)L2611A`),
    );
    await page.goto(app.url);
    await page.getByLabel('Choose a photo of a barcode').setInputFiles(image);
    await page.getByRole('heading', { name: MILK_PASSPORT.name }).waitFor();
    const [code] = opened.script.scanCodes;
    expect(code).toContain(`01${MILK_PASSPORT.gtin}17261231`);
    expect(code).toContain('10L2611A');
    await page.getByText('L2611A').first().waitFor();
    await opened.context.close();
  });

  // This failed now and then with a black view (readyState 0), put down to Chromium's fake camera and
  // retried; the cause was the app's: a camera start given up (the effect run again) still attached its
  // stream and then stopped it, blanking the newer one. Fixed in scan/decoder.ts; no retry since.
  it('the camera reads a barcode from Chromium fake video capture', async () => {
    const video = await barcodeVideo(browser, await ean13Png(MILK_PASSPORT.gtin), 'ean13.y4m');
    const cameraBrowser = await launchChromiumWithCamera(video);
    try {
      const opened = await open({ signedIn: false, on: cameraBrowser });
      await opened.context.grantPermissions(['camera'], { origin: app.url });
      await opened.page.goto(app.url);
      await opened.page.getByRole('button', { name: 'Start camera' }).click();
      await opened.page
        .getByRole('heading', { name: MILK_PASSPORT.name })
        .waitFor({ timeout: 30_000 })
        .catch(async (error: unknown) => {
          await screenshot(opened.page, 'camera-failure');
          const video = await opened.page.evaluate(() => {
            const v = document.querySelector('video');
            const track = (v?.srcObject as MediaStream | null)?.getVideoTracks()[0];
            return (
              v && {
                width: v.videoWidth,
                time: v.currentTime,
                paused: v.paused,
                ready: v.readyState,
                error: v.error?.message,
                stream: v.srcObject ? 'set' : 'none',
                track: track && { state: track.readyState, muted: track.muted, label: track.label },
              }
            );
          });
          throw new Error(`no scan from the camera; video ${JSON.stringify(video)}`, { cause: error });
        });
      expect(opened.script.scanCodes).toEqual(['4012345000016']);
    } finally {
      await cameraBrowser.close();
    }
  });

  it('renders the signed-in screens: consent, profile, fridge, Brand dashboard and editor', async () => {
    const consent = await open({ signedIn: true, healthConsent: false });
    await consent.page.goto(`${app.url}/profile`);
    await consent.page.getByRole('heading', { name: 'Before we store your Health Profile' }).waitFor();
    await expectFitsPhone(consent, 'profile-consent');
    await consent.context.close();

    const opened = await open({ signedIn: true, roles: ['consumer', 'brand_user'] });
    const { page } = opened;
    await page.goto(`${app.url}/profile`);
    await page.getByRole('heading', { name: 'Edit your Health Profile' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Milk' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Eggs' }).isChecked()).toBe(false);
    expect(await page.getByLabel('Sugars (g)').inputValue()).toBe('10');
    await expectFitsPhone(opened, 'profile');
    // Switching the analytics consent reloads the consents, and keeps the unsaved profile edits.
    await page.getByRole('checkbox', { name: 'Eggs' }).check();
    const analytics = page.getByRole('switch', { name: 'Count me in anonymous statistics' });
    await analytics.click();
    await expect.poll(() => analytics.isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'Eggs' }).isChecked()).toBe(true);

    await page.getByRole('link', { name: 'Fridge' }).click();
    await page.getByRole('heading', { name: 'In your fridge' }).waitFor();
    // A navigation names the new screen and puts focus at its start.
    expect(await page.title()).toBe('Your fridge – PackyTrace');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const history = page.getByRole('list', { name: 'Fridge history, newest first' }).locator('li');
    await expect.poll(() => history.first().textContent()).toMatch(/Consumed 1 ×/);
    const names = await page.locator('.fridge-item h3').allTextContents();
    expect(names).toEqual(['Smoked salmon', 'Alpine whole milk yoghurt, strawberry', 'Rye bread']);
    await page.getByText('Consumed 1 × Alpine whole milk yoghurt, strawberry').waitFor();
    await expectFitsPhone(opened, 'fridge');

    await page.getByRole('link', { name: 'Brand' }).click();
    await page
      .getByText(
        '4 figures were hidden because fewer than 5 people were behind them, which protects their privacy.',
      )
      .waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await expectFitsPhone(opened, 'brand-dashboard');

    await page.getByRole('link', { name: 'Edit product passports and recalls' }).click();
    await page.getByRole('button', { name: /Alpine whole milk yoghurt/ }).click();
    await page.getByRole('heading', { name: 'Recall' }).waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe(MILK_PASSPORT.name);
    // The public passport has no publish settings: the editor asks for them instead of sending defaults.
    await page.getByText(/doesn't show this passport's Nutri-Score category/).waitFor();
    expect(await page.getByRole('radio', { name: /^Use by/ }).isChecked()).toBe(false);
    expect(await page.getByRole('radio', { name: /^Best before/ }).isChecked()).toBe(false);
    await expectFitsPhone(opened, 'brand-editor');
    await opened.context.close();
  });
});
