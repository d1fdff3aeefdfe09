import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SESSION_PREFIX } from '../../app/sessions/store.ts';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';

/*
 * The web app in a real headless Chromium (Debian's package, driven by
 * playwright-core) against the real server, PostgreSQL and Redis: a
 * person's whole journey. Screenshots of the main screens go to
 * docs/screenshots/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'docs/screenshots');
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  const build = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
  t = await startTestApp({ MAX_CONTACTS_PER_USER: '6', WEB_DIR: path.join(ROOT, 'web/dist') });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function newPage(viewport = { width: 1200, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  // Each browser is its own client IP, as behind the ALB.
  await context.setExtraHTTPHeaders({ 'x-forwarded-for': `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
  const page = await context.newPage();
  await page.goto(t.baseUrl);
  return page;
}

async function signUp(page: Page, email: string, name = 'Ada Lovelace') {
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).last().click();
}

/** A contact's row in the list (not its favorite star). */
const row = (page: Page, name: string) => page.locator('.list .open', { hasText: name });

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });

it("a person's journey: sign up, add and edit contacts, search, favorite, import, export, limit, sign out", async () => {
  const page = await newPage();
  await expect(page.getByRole('heading', { name: 'contactfolio' })).toBeTruthy();
  await page.getByRole('button', { name: 'Sign in' }).last().waitFor();
  await shot(page, 'sign-in');

  // A wrong password says so.
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await page.getByText('Wrong email or password.').waitFor();

  const email = uniqueEmail('browser');
  await signUp(page, email);
  await page.getByText('No contacts yet.').waitFor();
  await page.getByText('0 of 6 contacts').waitFor();
  await shot(page, 'empty');

  // A new contact, with a bad second email: the error shows at that field.
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('First name').fill('Zoë');
  await page.getByLabel('Last name').fill('Ørsted');
  await page.getByLabel('Email 1', { exact: true }).fill('zoe@example.org');
  await page.getByRole('button', { name: 'Add email' }).click();
  await page.getByLabel('Email 2', { exact: true }).fill('not-an-email');
  await page.getByLabel('Phone 1', { exact: true }).fill('+1 (555) 010-0199');
  await page.getByRole('button', { name: 'Add address' }).click();
  await page.getByLabel('City (address 1)').fill('Copenhagen');
  await page.getByLabel('Birthday').fill('1990-02-28');
  await page.getByLabel('Tags (comma separated)').fill('family, physics');
  await page.getByLabel('Notes').fill('Met at the lab.');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#err-emails\\.1\\.value').getByText('must be a valid email address').waitFor();
  expect(await page.getByLabel('Email 2', { exact: true }).getAttribute('aria-invalid')).toBe('true');
  await shot(page, 'editor-field-error');
  await page.getByLabel('Email 2', { exact: true }).fill('zoe@home.example');
  await page.getByRole('button', { name: 'Save' }).click();
  await row(page, 'Zoë Ørsted').waitFor();

  // What was saved is what the API holds.
  const saved = await page.evaluate(async () => (await (await fetch('/v1/contacts')).json()) as { items: unknown[] });
  expect(saved.items).toEqual([
    expect.objectContaining({
      firstName: 'Zoë',
      emails: [{ value: 'zoe@example.org', label: 'home' }, { value: 'zoe@home.example', label: 'home' }],
      phones: [{ value: '+1 (555) 010-0199', label: 'mobile' }],
      addresses: [expect.objectContaining({ city: 'Copenhagen', label: 'home' })],
      birthday: '1990-02-28',
      tags: ['family', 'physics'],
      notes: 'Met at the lab.',
    }),
  ]);

  // Edit, favorite.
  await row(page, 'Zoë Ørsted').click();
  await page.getByLabel('Company').fill('Niels Bohr Institute');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Niels Bohr Institute').waitFor();
  await page.getByRole('button', { name: 'Favorite Zoë Ørsted' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Favorite Zoë Ørsted' }).getAttribute('aria-pressed')).toBe('true');

  // Import a real-world vCard file through the file picker.
  await page.getByRole('button', { name: 'Import' }).click();
  await page.locator('#import-file').setInputFiles(path.join(ROOT, 'test/fixtures/google.vcf'));
  await page.getByText('2 imported, 1 skipped:').waitFor();
  await page.getByText(/Entry 3: not valid/).waitFor();
  await shot(page, 'import');
  await page.getByRole('button', { name: 'Close import' }).click();
  await page.getByText('3 of 6 contacts').waitFor();

  // Search as you type (accents ignored), and the tag filter.
  await page.getByLabel('Search').fill('francois');
  await row(page, 'François Müller-Lüdenscheidt').waitFor();
  await expect.poll(() => page.locator('.list .open').count()).toBe(1);
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Tag', { exact: true }).fill('physics');
  await expect.poll(() => page.locator('.list .open').count()).toBe(1);
  await page.getByLabel('Tag', { exact: true }).fill('');
  await page.getByLabel('Order').selectOption('favorites');
  await expect.poll(async () => (await page.locator('.list .name').first().textContent())?.trim()).toBe('Zoë Ørsted');
  await shot(page, 'list');

  // Export downloads every contact.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export vCard' }).click()]);
  const exported = readFileSync((await download.path())!, 'utf8');
  expect(exported.match(/BEGIN:VCARD/g)).toHaveLength(3);
  expect(exported).toContain('FN:Zoë Ørsted');

  // The limit: fill up to 6, and the app says so.
  for (const name of ['Four', 'Five', 'Six']) {
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('First name').fill(name);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: new RegExp(`^${name}`) }).waitFor();
  }
  await page.getByText('You have reached your limit of 6 contacts').waitFor();
  expect(await page.getByRole('button', { name: 'New contact' }).isDisabled()).toBe(true);
  await page.getByText('6 of 6 contacts').waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).last().waitFor();
});

it('clear messages for a taken email, too many attempts and a full deployment', async () => {
  const page = await newPage();
  const email = uniqueEmail('twice');
  await signUp(page, email);
  await page.getByText('No contacts yet.').waitFor();
  const other = await newPage();
  await signUp(other, email);
  await other.getByText('An account with this email already exists.').waitFor();

  const guesser = await newPage();
  for (let i = 0; i < 10; i++) {
    await guesser.getByLabel('Email').fill(email);
    await guesser.getByLabel('Password').fill(`guess ${i}`);
    await guesser.getByRole('button', { name: 'Sign in' }).last().click();
    await guesser.getByText('Wrong email or password.').waitFor();
  }
  await guesser.getByRole('button', { name: 'Sign in' }).last().click();
  await guesser.getByText(/Too many failed sign-ins\. Try again in 1[45] minutes\./).waitFor();

  const full = await startTestApp({ MAX_USERS: '1', WEB_DIR: path.join(ROOT, 'web/dist') });
  try {
    const first = await browser.newPage();
    await first.goto(full.baseUrl);
    await signUp(first, uniqueEmail('only'));
    await first.getByText('No contacts yet.').waitFor();
    const late = await browser.newPage();
    await late.goto(full.baseUrl);
    await signUp(late, uniqueEmail('late'));
    await late.getByText('This contactfolio is full').waitFor();
  } finally {
    await full.close();
  }
});

it('an expired session sends the person to sign in, keeping what they typed', async () => {
  const page = await newPage();
  const email = uniqueEmail('expiry');
  await signUp(page, email, 'Grace Hopper');
  await page.getByText('No contacts yet.').waitFor();
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('First name').fill('Unsaved');
  await page.getByLabel('Notes').fill('typed before the session expired');

  // The session ends on the server (as when it times out): delete it from Redis.
  const userId = await page.evaluate(async () => ((await (await fetch('/v1/auth/me')).json()) as { user: { id: string } }).user.id);
  let deleted = 0;
  for (const key of await t.redis.keys(`${SESSION_PREFIX}*`)) {
    if ((await t.redis.get(key))?.includes(userId)) deleted += await t.redis.del(key);
  }
  expect(deleted).toBe(1);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Your session has expired.').waitFor();
  await shot(page, 'session-expired');

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  expect(await page.getByLabel('Notes').inputValue()).toBe('typed before the session expired');
  expect(await page.getByLabel('First name').inputValue()).toBe('Unsaved');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: /^Unsaved/ }).waitFor();
});

it('works on a phone-sized screen and by keyboard', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await signUp(page, uniqueEmail('phone'), 'Phone Person');
  await page.getByText('No contacts yet.').waitFor();
  // Keyboard only: focus the New contact button, open the editor, type, save.
  await page.getByRole('button', { name: 'New contact' }).focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('First name').focus();
  await page.keyboard.type('Keyboard');
  await page.getByLabel('First name').press('Enter'); // submits the form
  await page.getByRole('button', { name: /^Keyboard/ }).waitFor();
  const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
  expect(overflow).toBe(false);
  await shot(page, 'phone');
});
