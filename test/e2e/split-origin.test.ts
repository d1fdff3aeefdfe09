import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';

/*
 * The production split: the web app on one origin (contactfolio.com), the
 * API on another of the same site (api.contactfolio.com). localhost:A and
 * localhost:B are that: same site, different origins. The build gets the
 * API's origin at build time; CORS and the SameSite=Lax cookie must work.
 */
let api: TestApp;
let web: Server;
let webOrigin: string;
let browser: Browser;
let outDir: string;

beforeAll(async () => {
  // Listen first to learn the web port, then tell the API that origin.
  const site = express();
  web = site.listen(0, '127.0.0.1');
  await new Promise((r) => web.once('listening', r));
  webOrigin = `http://localhost:${(web.address() as AddressInfo).port}`;
  api = await startTestApp({ CORS_ORIGIN: webOrigin });
  const apiOrigin = api.baseUrl.replace('127.0.0.1', 'localhost');
  outDir = mkdtempSync(path.join(tmpdir(), 'cf-web-split-'));
  const build = spawnSync('npx', ['vite', 'build', 'web', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, VITE_API_BASE_URL: apiOrigin },
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  site.use(express.static(outDir));
  // As CloudFront does (infra/constructs/frontend.ts: 403/404 answer /index.html): a deep link or a reload
  // on /contacts/:id gets the app.
  site.use((_req, res) => res.sendFile(path.join(outDir, 'index.html')));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  web?.close();
  await api?.close();
});

it('the web app on its own origin signs up and keeps contacts on the API origin (CORS + cookie)', async () => {
  const page = await browser.newPage();
  const apiRequests: string[] = [];
  page.on('request', (r) => r.url().includes('/v1/') && apiRequests.push(new URL(r.url()).origin));
  await page.goto(webOrigin);
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Your name').fill('Split');
  await page.getByLabel('Email').fill(uniqueEmail('split'));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).last().click();
  await page.getByText('No contacts yet.').waitFor();
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('First name').fill('Across');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.list .open', { hasText: 'Across' }).waitFor();
  // Every API call went to the other origin, and the session cookie came along.
  expect(new Set(apiRequests)).toEqual(new Set([api.baseUrl.replace('127.0.0.1', 'localhost')]));
  await page.reload();
  await page.locator('.list .open', { hasText: 'Across' }).waitFor();
});

it('the production build keeps its JavaScript under 40 KB gzipped (issue 17)', () => {
  const assets = path.join(outDir, 'assets');
  const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const gzipped = js.reduce((n, f) => n + gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length, 0);
  expect(js.length).toBeGreaterThan(0);
  expect(gzipped).toBeLessThan(40 * 1024);
});
