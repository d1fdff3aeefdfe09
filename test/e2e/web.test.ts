import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SESSION_PREFIX } from '../../app/sessions/store.ts';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';

/*
 * The web app in a real headless Chromium (Debian's package, driven by
 * playwright-core) against the real server, PostgreSQL and Redis: a
 * person's whole journey. Screenshots of the main screens go to a temporary
 * folder, or with UPDATE_SCREENSHOTS=1 to docs/screenshots/ (a test run must
 * not rewrite tracked files).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs/screenshots') : mkdtempSync(path.join(tmpdir(), 'cf-shots-'));
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

async function newPage(viewport = { width: 1200, height: 800 }, locale?: string): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale });
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
  await page.getByLabel('Day', { exact: true }).fill('28');
  await page.getByLabel('Month', { exact: true }).selectOption('2');
  await page.getByLabel('Year (optional)').fill('1990');
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
      emails: [
        { value: 'zoe@example.org', label: 'home', customLabel: null },
        { value: 'zoe@home.example', label: 'home', customLabel: null },
      ],
      phones: [{ value: '+1 (555) 010-0199', label: 'mobile', customLabel: null }],
      addresses: [expect.objectContaining({ city: 'Copenhagen', label: 'home' })],
      birthday: '1990-02-28',
      tags: ['family', 'physics'],
      notes: 'Met at the lab.',
    }),
  ]);

  // Open, edit, favorite.
  await row(page, 'Zoë Ørsted').click();
  await page.getByRole('heading', { name: 'Zoë Ørsted' }).waitFor();
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Company').fill('Niels Bohr Institute');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.facts').getByText('Niels Bohr Institute').waitFor();
  await row(page, 'Niels Bohr Institute').waitFor();
  await page.getByRole('button', { name: 'Favorite Zoë Ørsted' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Favorite Zoë Ørsted' }).getAttribute('aria-pressed')).toBe('true');

  // Import a real-world vCard file through the file picker.
  await page.getByRole('button', { name: 'Import' }).click();
  await page.locator('#import-file').setInputFiles(path.join(ROOT, 'test/fixtures/google.vcf'));
  await page.getByText('2 imported, 0 merged into existing contacts, 0 already there, 1 skipped.').waitFor();
  // The third card has no name: it is named by its line.
  await page.locator('.import-result li', { hasText: /^Line 19: / }).waitFor();
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

  // Export downloads every contact: vCard 3.0 by default, 4.0 or Google's CSV on request.
  const exportAs = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export', exact: true }).click()]);
    return readFileSync((await download.path())!, 'utf8');
  };
  const exported = await exportAs();
  expect(exported.match(/BEGIN:VCARD/g)).toHaveLength(3);
  expect(exported.match(/VERSION:3\.0/g)).toHaveLength(3);
  expect(exported).toContain('FN:Zoë Ørsted');
  await page.getByLabel('Export as').selectOption({ label: 'vCard 4.0' });
  expect((await exportAs()).match(/VERSION:4\.0/g)).toHaveLength(3);
  await page.getByLabel('Export as').selectOption({ label: 'CSV (Google)' });
  expect((await exportAs()).split(/\r?\n/)[0]).toContain('First Name');

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

  // The last contact saved is open beside the list; close it, and sign out.
  await page.getByRole('button', { name: 'Close contact' }).click();
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

it('two contacts sharing an email: the new fields, Duplicates, merge, one contact left with both contacts\' data', async () => {
  const page = await newPage(undefined, 'en-GB');
  await signUp(page, uniqueEmail('dupes'), 'Dee Duplicate');
  await page.getByText('No contacts yet.').waitFor();

  // The first: a middle name, a phone with a label of its own, a web address, a birthday without a year.
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByRole('button', { name: 'More name fields' }).click();
  await page.getByLabel('Middle name').fill('King');
  await page.getByLabel('Email 1', { exact: true }).fill('ada@example.org');
  await page.getByLabel('Phone 1', { exact: true }).fill('+44 20 7946 0000');
  await page.getByLabel('Phone 1 label').selectOption({ label: 'Custom…' });
  await page.getByLabel('Phone 1 custom label').fill('Boat');
  await page.getByRole('button', { name: 'Add web address' }).click();
  await page.getByLabel('Web address 1', { exact: true }).fill('example.org/ada');
  await page.getByLabel('Day', { exact: true }).fill('10');
  await page.getByLabel('Month', { exact: true }).selectOption({ label: 'December' });
  await page.getByRole('button', { name: 'Save' }).click();
  // What was saved, as it reads.
  await page.getByRole('heading', { name: 'Ada King Lovelace' }).waitFor();
  await page.locator('.facts div', { hasText: 'Birthday' }).getByText('10 December').waitFor();
  await page.locator('.facts div', { hasText: 'Phone (Boat)' }).waitFor();
  const link = page.getByRole('link', { name: 'example.org/ada' });
  expect(await link.getAttribute('href')).toBe('https://example.org/ada');
  expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

  // The second: the same email in other letters, a related person, a tag.
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('First name').fill('Augusta');
  await page.getByLabel('Last name').fill('King');
  await page.getByLabel('Email 1', { exact: true }).fill('ADA@example.org');
  await page.getByRole('button', { name: 'Add related person' }).click();
  await page.getByLabel('Related person 1', { exact: true }).fill('Charles Babbage');
  await page.getByLabel('Related person 1 label').selectOption('friend');
  await page.getByLabel('Tags (comma separated)').fill('engines');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Augusta King' }).waitFor();
  await page.getByText('2 contacts', { exact: true }).waitFor();

  // Duplicates: the group, why, and a merge into the contact picked.
  await page.getByRole('button', { name: 'Duplicates' }).click();
  const group = page.locator('.dup-group', { has: page.getByRole('heading', { name: 'Same email: ada@example.org' }) });
  await group.waitFor();
  await group.getByRole('radio', { name: /^Ada King Lovelace/ }).check();
  await group.getByRole('button', { name: 'Merge 2 contacts' }).click();
  await page.getByRole('status').getByText('Merged 2 contacts into Ada King Lovelace.').waitFor();
  await page.getByText('No more duplicates to review.').waitFor();
  await page.getByText('1 contact', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Close duplicates' }).click();

  // One contact left, holding both contacts' data.
  await expect.poll(() => page.locator('.list .open').count()).toBe(1);
  await row(page, 'Ada King Lovelace').click();
  await page.getByRole('heading', { name: 'Ada King Lovelace' }).waitFor();
  await page.locator('.facts div', { hasText: 'Friend' }).getByText('Charles Babbage').waitFor();
  await page.locator('.facts div', { hasText: 'Phone (Boat)' }).waitFor();
  await page.locator('.facts div', { hasText: 'Tags' }).getByText('engines').waitFor();
  const left = await page.evaluate(async () => ((await (await fetch('/v1/contacts')).json()) as { items: Record<string, unknown>[] }).items);
  expect(left).toEqual([
    expect.objectContaining({
      firstName: 'Ada',
      middleName: 'King',
      lastName: 'Lovelace',
      emails: [expect.objectContaining({ value: 'ada@example.org' })],
      phones: [{ value: '+44 20 7946 0000', label: 'other', customLabel: 'Boat' }],
      urls: [{ value: 'example.org/ada', label: 'home', customLabel: null }],
      related: [{ value: 'Charles Babbage', label: 'friend', customLabel: null }],
      birthday: '--12-10',
      tags: ['engines'],
    }),
  ]);

  // An Outlook-style CSV in Windows-1252, sent as its bytes: the server reads the accents; a contact
  // already there is skipped when the person asks for that.
  await page.getByRole('button', { name: 'Close contact' }).click();
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('radio', { name: 'Skip it' }).check();
  const csv = Buffer.from('First Name,Last Name,E-mail Address\r\nJosé,Müller,jose@example.es\r\nAda,Lovelace,ada@example.org\r\n', 'latin1');
  await page.locator('#import-file').setInputFiles({ name: 'outlook.csv', mimeType: 'text/csv', buffer: csv });
  await page.getByText('1 imported, 0 merged into existing contacts, 0 already there, 1 skipped.').waitFor();
  await page.locator('.import-result li', { hasText: "Ada Lovelace: already in your contacts as 'Ada King Lovelace' (same email)" }).waitFor();
  await row(page, 'José Müller').waitFor();
});
