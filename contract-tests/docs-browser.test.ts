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

describeWithBrowser('the /docs page in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
    // The page's Content-Security-Policy must let Redoc run; it blocks only calls to the outside.
    const policyViolations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) policyViolations.push(message.text());
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
    // Only the decorative Redocly logo may try the network (and the machine has none).
    expect(failedRequests.filter((url) => !url.includes('cdn.redoc.ly/redoc/logo'))).toEqual([]);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'sha256-");
    expect(policyViolations.filter((text) => !/https:\/\/(cdn\.redoc\.ly|otel\.cloud\.redocly\.com)\//.test(text))).toEqual([]);

    const artifacts = join(__dirname, '..', 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'docs.png') });
  }, 60_000);

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
