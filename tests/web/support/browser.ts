/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { screenshotDir } from './paths';

/** Debian's chromium package; playwright-core downloads no browser of its own. */
export const CHROMIUM = process.env.PT_CHROMIUM ?? '/usr/bin/chromium';
const QUIET_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...QUIET_FLAGS, ...extraArgs] });
}

/** Chromium with a fake camera that shows the frames of a .y4m file (Chromium's --use-file-for-fake-video-capture). */
export async function launchChromiumWithCamera(y4mFile: string): Promise<Browser> {
  return launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${y4mFile}`,
  ]);
}

/** A phone-sized context: 360 px wide is the narrowest the app promises to work at. */
export async function mobileContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 1,
    hasTouch: true,
    isMobile: true,
  });
}

/** Collects uncaught page errors and blocked loads (CSP) so a test can assert that a screen rendered without any. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // What the server's Content-Security-Policy blocked (Chromium reports it on the console only).
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      errors.push(message.text());
  });
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** How far the page is wider than the viewport; 0 means nothing forces sideways scrolling at 360 px. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

export interface ApiProblem {
  request: string;
  status: number;
  code: string | undefined;
}

/** Records every gateway answer of 400 or more with its problem `code`, to check the app speaks the real contract. */
export function collectApiProblems(page: Page, gatewayUrl: string): ApiProblem[] {
  const problems: ApiProblem[] = [];
  page.on('response', async (response) => {
    if (!response.url().startsWith(gatewayUrl) || response.status() < 400) return;
    const body = (await response.json().catch(() => ({}))) as { code?: string };
    const url = new URL(response.url());
    problems.push({
      request: `${response.request().method()} ${url.pathname}${url.search}`,
      status: response.status(),
      code: body.code,
    });
  });
  return problems;
}
