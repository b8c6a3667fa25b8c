/**
 * The documentation page in a real browser (Debian's chromium driven by playwright-core): the
 * guide, the operations and the error annex render from the server's /docs, offline. CI
 * installs chromium; on a machine without it the test is skipped outside CI, with a message.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { operationTable } from '../generated/operations';
import { startTestServer, type TestServer } from './support/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
const describeWithBrowser = available ? describe : describe.skip;
if (!available) console.warn(`docs-browser: ${CHROMIUM} not found, browser test skipped (apt-get install chromium)`);

/** Screenshots a person can look at, kept by CI (test-artifacts/, .ci/run keeps them with its reports). */
const artifacts = join(__dirname, '..', 'test-artifacts');

describeWithBrowser('the /docs page in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('when a partner opens /docs, then the guide, the operations and the error annex render', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const failedRequests: string[] = [];
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
    // No console error at all: a 404 (the tab icon), a picture or a call the page's own policy blocks.
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.text().includes('Content Security Policy')) consoleErrors.push(message.text());
    });
    const response = await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);

    await page.getByRole('heading', { name: 'Guide du partenaire / Partner guide' }).waitFor({ timeout: 30_000 });
    for (const text of ['Obtenir un jeton / Getting a token', 'Annexe : codes de résultat / Annex: result codes']) {
      await expect(page.getByRole('heading', { name: text }).count()).resolves.toBeGreaterThan(0);
    }
    const body = await page.textContent('body');
    for (const text of ['Get an access token (client credentials)', 'Who am I', 'Issue a card', 'CARD_TRANSITION_FORBIDDEN', 'Identifiants client invalides']) {
      expect(body).toContain(text);
    }
    // The page's server is the relative "/" (docs-page.test.ts checks the embedded contract): it
    // never names the demo address whatever the port it is served on.
    expect(body).not.toContain('127.0.0.1:8080');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'sha256-");
    await page.screenshot({ path: join(artifacts, 'docs-landing.png') });

    // What a person sees: every picture of the guide drawn, no run of text without a space that
    // would be a screen of base64 or a squeezed column.
    const pictures = await page.locator('img').evaluateAll((images) =>
      images.map((image) => ({
        alt: image.getAttribute('alt'),
        width: (image as HTMLImageElement).naturalWidth,
        shown: image.getBoundingClientRect().width,
      })),
    );
    expect(pictures.filter((picture) => picture.alt?.includes('The parties and their exchanges'))).toHaveLength(1);
    for (const picture of pictures) expect(picture).toEqual({ alt: picture.alt, width: expect.any(Number), shown: expect.any(Number) });
    expect(pictures.filter((picture) => picture.width === 0 || picture.shown === 0)).toEqual([]);
    const longRuns = await page.evaluate(() => {
      const runs: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const run = (node.textContent ?? '').match(/\S{200,}/);
        if (run && node.parentElement?.closest('script, style') === null) runs.push(run[0].slice(0, 80));
      }
      return runs;
    });
    expect(longRuns).toEqual([]);

    // The error annex: its table fits the column (nothing cut off), every code on one line.
    await page.locator('#error-4001').scrollIntoViewIfNeeded();
    const annex = await page.locator('#error-4001').evaluate((anchor) => {
      const table = anchor.closest('table') as HTMLTableElement;
      const container = table.parentElement as HTMLElement;
      const cells = Array.from(table.querySelectorAll('td, th')) as HTMLElement[];
      const codes = Array.from(table.querySelectorAll('span[id^="error-"]')) as HTMLElement[];
      return {
        rows: table.rows.length,
        tableRight: table.getBoundingClientRect().right,
        containerRight: container.getBoundingClientRect().right,
        overflowing: container.scrollWidth - container.clientWidth,
        clippedCells: cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1).map((cell) => cell.textContent?.slice(0, 40)),
        wrappedCodes: codes.filter((code) => code.getClientRects().length !== 1 || code.getBoundingClientRect().height > 30).map((code) => code.textContent),
        windowRight: window.innerWidth,
      };
    });
    expect(annex.rows).toBeGreaterThan(50);
    expect(annex.overflowing).toBeLessThanOrEqual(0);
    expect(annex.tableRight).toBeLessThanOrEqual(Math.min(annex.containerRight, annex.windowRight) + 1);
    expect(annex.clippedCells).toEqual([]);
    expect(annex.wrappedCodes).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'docs-annex.png') });

    await page.goto(`${server.url}/docs#/partner/createpartnerrecharge`, { waitUntil: 'load' });
    await page.locator('[data-section-id="/partner/createpartnerrecharge"]').first().waitFor({ timeout: 30_000 });
    // Redoc scrolls to the operation once it has drawn it: wait until its title is shown in the window, so the screenshot shows it.
    const title = page.getByRole('heading', { name: "Recharge a card from the partner's float" }).first();
    await title.waitFor({ state: 'visible', timeout: 30_000 });
    let top = Infinity;
    for (let tries = 0; tries < 50 && !(top >= 0 && top < 300); tries += 1) {
      top = (await title.boundingBox())?.y ?? Infinity;
      if (!(top >= 0 && top < 300)) await page.waitForTimeout(200);
    }
    expect(top).toBeLessThan(300);
    await page.screenshot({ path: join(artifacts, 'docs-operation.png') });

    // Nothing goes to the network (the machine has none): no request failed, no console error.
    expect(failedRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 90_000);

  it('when a partner follows a deprecated operation\'s Link header (rel="deprecation"), then the page opens at that operation', async () => {
    const links = Object.values(operationTable).flatMap(({ deprecation }) => (deprecation ? [deprecation.link] : []));
    expect(links.length).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    for (const link of links) {
      await page.goto(`${server.url}${link}`, { waitUntil: 'load' });
      const section = page.locator(`[data-section-id="${link.replace(/^\/docs#/, '')}"]`);
      await section.first().waitFor({ timeout: 30_000 });
      // Redoc scrolls to the section once it has rendered it: its top comes to the top of the window.
      let top = Infinity;
      for (let tries = 0; tries < 50 && !(top < 200); tries += 1) {
        top = (await section.first().boundingBox())?.y ?? Infinity;
        if (!(top < 200)) await page.waitForTimeout(200);
      }
      expect(top).toBeLessThan(200);
    }
  }, 60_000);
});
