import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SESSION_PREFIX } from '../../app/sessions/store.ts';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';
import { UNDO_MS } from '../../web/src/undo-time.ts';

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
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  // The closing note quotes this: which screens were checked, at which widths.
  if (Object.keys(axeResults).length) console.log(`axe-core, serious or critical violations per screen: ${JSON.stringify(axeResults)}`);
  await browser?.close();
  await t?.close();
});

async function newPage(viewport = { width: 1200, height: 800 }, locale?: string): Promise<Page> {
  // bypassCSP lets the test inject axe-core; the app's own scripts still run under its CSP.
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale, bypassCSP: true });
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

const AXE = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules and best practices). */
async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`,
  )) as { id: string; impact: string; nodes: string[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}
const axeResults: Record<string, number> = {};
/** Every screen is checked at the size it is shown in: no serious or critical violation. */
async function expectAccessible(page: Page, screen: string) {
  const problems = await axeProblems(page);
  axeResults[`${screen} @${page.viewportSize()?.width}px`] = problems.length;
  expect(problems, screen).toEqual([]);
}

it("a person's journey: sign up, add and edit contacts, search, favorite, import, export, limit, sign out", async () => {
  const page = await newPage();
  await page.getByRole('heading', { name: 'contactfolio' }).waitFor();
  await page.getByRole('button', { name: 'Sign in' }).last().waitFor();
  await expectAccessible(page, 'sign-in');
  await shot(page, 'sign-in');

  // A wrong password says so.
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await page.getByText('Wrong email or password.').waitFor();

  const email = uniqueEmail('browser');
  await signUp(page, email);
  await page.getByText('No contacts yet.').waitFor();
  await expectAccessible(page, 'empty list');

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
  // "family, " makes a chip; "physics" is still being typed when Save is pressed, and is saved too.
  await page.getByLabel('Tags', { exact: true }).fill('family, physics');
  await page.getByRole('button', { name: 'Remove tag family' }).waitFor();
  await page.getByLabel('Notes').fill('Met at the lab.');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#err-emails\\.1\\.value').getByText('must be a valid email address').waitFor();
  expect(await page.getByLabel('Email 2', { exact: true }).getAttribute('aria-invalid')).toBe('true');
  await expectAccessible(page, 'editor with a field error');
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
  await page.locator('.card-head .work').getByText('Niels Bohr Institute').waitFor();
  await row(page, 'Niels Bohr Institute').waitFor();
  await page.getByRole('button', { name: 'Favorite Zoë Ørsted' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Favorite Zoë Ørsted' }).getAttribute('aria-pressed')).toBe('true');

  // Import a real-world vCard file through the file picker.
  await page.getByRole('button', { name: 'Import' }).click();
  await page.locator('#import-file').setInputFiles(path.join(ROOT, 'test/fixtures/google.vcf'));
  await page.getByText('2 imported, 0 merged into existing contacts, 0 already there, 1 skipped.').waitFor();
  // The third card has no name: it is named by its line.
  await page.locator('.import-result li', { hasText: /^Line 19: / }).waitFor();
  await expectAccessible(page, 'import');
  await shot(page, 'import');
  await page.getByRole('button', { name: 'Close import' }).click();
  await page.getByText('3 contacts', { exact: true }).waitFor();

  // Search as you type (accents ignored), and the tag filter.
  await page.getByLabel('Search').fill('francois');
  await row(page, 'François Müller-Lüdenscheidt').waitFor();
  await expect.poll(() => page.locator('.list .open').count()).toBe(1);
  await page.getByLabel('Search').fill('');
  // The tag filter lists the person's tags with their counts.
  await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'physics (1)' });
  await expect.poll(() => page.locator('.list .open').count()).toBe(1);
  expect(new URL(page.url()).searchParams.get('tag')).toBe('physics');
  await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'Any tag' });
  await page.getByLabel('Order').selectOption('favorites');
  await expect.poll(async () => (await page.locator('.list .name').first().textContent())?.trim()).toBe('Zoë Ørsted');
  await expectAccessible(page, 'list');
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
    await page.getByRole('link', { name: new RegExp(`^${name}`) }).waitFor();
  }
  await page.getByText('You have reached your limit of 6 contacts').waitFor();
  expect(await page.getByRole('button', { name: 'New contact' }).isDisabled()).toBe(true);
  // One count, not two.
  await page.getByText('6 contacts', { exact: true }).waitFor();
  expect(await page.getByText(/^\d+ contacts?( found)?$/).count()).toBe(1);

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
  await page.getByRole('link', { name: /^Unsaved/ }).waitFor();
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
  await page.getByRole('link', { name: /^Keyboard/ }).waitFor();
  const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
  expect(overflow).toBe(false);
});

it("two contacts sharing an email: the new fields, Duplicates, merge, one contact left with both contacts' data", async () => {
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
  await page.getByLabel('Tags', { exact: true }).fill('engines');
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
  await page.getByRole('list', { name: 'Tags' }).getByText('engines').waitFor();
  const left = await page.evaluate(
    async () => ((await (await fetch('/v1/contacts')).json()) as { items: Record<string, unknown>[] }).items,
  );
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
  const csv = Buffer.from(
    'First Name,Last Name,E-mail Address\r\nJosé,Müller,jose@example.es\r\nAda,Lovelace,ada@example.org\r\n',
    'latin1',
  );
  await page.locator('#import-file').setInputFiles({ name: 'outlook.csv', mimeType: 'text/csv', buffer: csv });
  await page.getByText('1 imported, 0 merged into existing contacts, 0 already there, 1 skipped.').waitFor();
  await page
    .locator('.import-result li', { hasText: "Ada Lovelace: already in your contacts as 'Ada King Lovelace' (same email)" })
    .waitFor();
  await row(page, 'José Müller').waitFor();
});

/** Signs up a person with contacts made through the API (fast), at a size. */
const SIZES = [
  { name: 'desktop', width: 1200, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
type Size = (typeof SIZES)[number];

/** On a phone the tag filter, order and the other actions are behind "More options". */
async function showOptions(page: Page) {
  const toggle = page.getByRole('button', { name: 'More options' });
  if (await toggle.isVisible()) await toggle.click();
}

async function personWith(contacts: Record<string, unknown>[], viewport?: { width: number; height: number }): Promise<Page> {
  const page = await newPage(viewport && { width: viewport.width, height: viewport.height });
  await signUp(page, uniqueEmail('screens'), 'Rosa Parks');
  await page.getByText('No contacts yet.').waitFor();
  await page.evaluate(async (list) => {
    for (const c of list)
      await fetch('/v1/contacts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
  }, contacts);
  await page.reload();
  return page;
}

const ADA = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical Engines',
  jobTitle: 'Mathematician',
  emails: [{ value: 'ada@example.org', label: 'work' }],
  phones: [{ value: '+44 20 7946 0000', label: 'mobile' }],
  addresses: [{ street: '12 St James’s Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'United Kingdom', label: 'home' }],
  birthday: '--12-10',
  notes: 'Wrote the first program.',
  tags: ['Family', 'Engines'],
  favorite: true,
};

it.each(SIZES)(
  'the contact card: links to write, call and find; a birthday as people write it; tags as chips; routes, Back and reload ($name)',
  async (size: Size) => {
    const page = await personWith(
      [ADA, { firstName: 'Charles', lastName: 'Babbage', tags: ['engines'] }, { company: 'Pizzeria Da Michele' }],
      size,
    );
    await row(page, 'Ada Lovelace').click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/contacts\/[0-9a-f-]{36}$/);
    const card = page.locator('.detail');
    expect(await card.getByRole('link', { name: 'ada@example.org' }).getAttribute('href')).toBe('mailto:ada@example.org');
    expect(await card.getByRole('link', { name: '+44 20 7946 0000' }).getAttribute('href')).toBe('tel:+442079460000');
    expect(await card.getByRole('link', { name: 'Show on a map' }).getAttribute('href')).toBe(
      'https://www.openstreetmap.org/search?query=12%20St%20James%E2%80%99s%20Square%2C%20SW1Y%204JH%20London%2C%20United%20Kingdom',
    );
    await card
      .locator('.facts div', { hasText: 'Birthday' })
      .getByText(/^(10 December|December 10)$/)
      .waitFor();
    await card.getByText('Mathematician, Analytical Engines').waitFor();
    expect(await card.getByRole('button', { name: 'Favorite' }).getAttribute('aria-pressed')).toBe('true');
    expect(await card.locator('.avatar').textContent()).toBe('AL');
    await expectAccessible(page, 'contact card');
    if (size.name === 'desktop') await shot(page, 'card');

    // A company-only contact reads as its name once.
    expect(await row(page, 'Pizzeria Da Michele').textContent()).not.toMatch(/Pizzeria Da Michele.*Pizzeria Da Michele/);

    // Tags keep their case; "Engines" and "engines" are one tag, listed with its count.
    await card.getByRole('link', { name: 'Show contacts tagged Engines' }).click();
    await expect.poll(() => page.locator('.list .open').count()).toBe(2);
    expect(new URL(page.url()).search).toBe('?tag=Engines');
    await showOptions(page);
    expect(await page.getByLabel('Tag', { exact: true }).locator('option').allTextContents()).toEqual([
      'Any tag',
      'Engines (2)',
      'Family (1)',
    ]);

    // A search lives in the URL: reload keeps it, Back and Forward move through what was open.
    await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'Any tag' });
    await page.getByLabel('Search').fill('first program'); // in the notes
    await expect.poll(() => page.url()).toContain('q=first+program');
    await expect.poll(() => page.locator('.list .open').count()).toBe(1);
    await row(page, 'Ada Lovelace').click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    const cardUrl = page.url();
    await page.reload();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    expect(await page.getByLabel('Search').inputValue()).toBe('first program');
    await page.goBack();
    await expect.poll(() => page.getByRole('heading', { name: 'Ada Lovelace' }).count()).toBe(0);
    expect(await page.getByLabel('Search').inputValue()).toBe('first program');
    await page.goForward();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();

    // A link to a contact that is gone says so, and the list still works.
    await page.goto(`${t.baseUrl}/contacts/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('alert').getByText('No such contact.').waitFor();
    await row(page, 'Ada Lovelace').waitFor();
    await page.goto(cardUrl);

    // A deep link survives signing in.
    const other = await browser.newContext({ viewport: { width: size.width, height: size.height } });
    const fresh = await other.newPage();
    await fresh.goto(cardUrl);
    const email = await page.evaluate(async () => ((await (await fetch('/v1/auth/me')).json()) as { user: { email: string } }).user.email);
    await fresh.getByLabel('Email').fill(email);
    await fresh.getByLabel('Password').fill(PASSWORD);
    await fresh.getByRole('button', { name: 'Sign in' }).last().click();
    await fresh.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    expect(fresh.url()).toBe(cardUrl);
    await other.close();
  },
);

it.each(SIZES)(
  'by keyboard: focus goes into what opens and back to what opened it, Escape closes, the dialog keeps focus, unsaved changes are asked about ($name)',
  async (size: Size) => {
    const page = await personWith([ADA], size);
    const focused = () =>
      page.evaluate(
        `document.activeElement?.getAttribute('aria-label') || document.activeElement?.id || document.activeElement?.textContent`,
      );
    await page.getByRole('button', { name: 'New contact' }).focus();
    await page.keyboard.press('Enter');
    // Zero Tab presses from "New contact" to the first field: it has focus.
    await expect.poll(focused).toBe(await page.getByLabel('First name').getAttribute('id'));
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('form', { name: 'New contact' }).count()).toBe(0);
    await expect.poll(focused).toBe('New contact');

    // Unsaved changes: closing asks; the dialog holds focus; Keep editing keeps them.
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe(await page.getByLabel('First name').getAttribute('id'));
    await page.keyboard.type('Half typed');
    await page.keyboard.press('Escape');
    const dialog = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
    await dialog.waitFor();
    await expectAccessible(page, 'discard dialog');
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(`Boolean(document.activeElement?.closest('dialog'))`)).toBe(true);
    }
    await dialog.getByRole('button', { name: 'Keep editing' }).click();
    expect(await page.getByLabel('First name').inputValue()).toBe('Half typed');
    // Back keeps the draft, and the list offers it again.
    await page.goBack();
    await page.getByText('You have unsaved changes to Half typed.').waitFor();
    await page.getByRole('button', { name: 'Continue editing' }).click();
    expect(await page.getByLabel('First name').inputValue()).toBe('Half typed');
    await page.getByRole('button', { name: 'Close' }).first().click();
    await dialog.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => page.getByRole('form', { name: 'New contact' }).count()).toBe(0);
    expect(await page.getByText('You have unsaved changes').count()).toBe(0);

    // A contact opened from the list: focus on its name; Escape returns to its row.
    await row(page, 'Ada Lovelace').focus();
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('detail-name');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate('document.activeElement?.dataset?.contactId')).toMatch(/^[0-9a-f-]{36}$/);
    // The panel is next in reading order: one Tab from the card's name reaches its controls, not the list.
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('detail-name');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(`Boolean(document.activeElement?.closest('.panel'))`)).toBe(true);

    // Saved by keyboard: the card opens with focus on the contact's name, not on <body>.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Company').fill('Engines Ltd');
    await page.getByLabel('Company').press('Enter');
    await page.locator('.card-head .work').getByText('Engines Ltd').waitFor();
    await expect.poll(focused).toBe('detail-name');
  },
);

it.each(SIZES)(
  'delete shows Undo for a few seconds instead of asking; Undo brings the contact back, otherwise it is gone ($name)',
  async (size: Size) => {
    const page = await personWith([ADA, { firstName: 'Charles', lastName: 'Babbage' }], size);
    await row(page, 'Ada Lovelace').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const toast = page.locator('.toast');
    await toast.getByText('Deleted Ada Lovelace.').waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Undo');
    await expect.poll(() => row(page, 'Ada Lovelace').count()).toBe(0);
    await expectAccessible(page, 'undo');
    await toast.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    const count = () => page.evaluate(async () => ((await (await fetch('/v1/contacts')).json()) as { total: number }).total);
    expect(await count()).toBe(2);

    // From the editor too; this time the undo time runs out (on the page's clock, run forward past it, not waited for).
    await page.clock.install();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await toast.waitFor();
    await page.clock.runFor(UNDO_MS - 500);
    expect(await toast.isVisible()).toBe(true);
    await page.clock.runFor(1_000);
    await toast.waitFor({ state: 'detached' });
    await expect.poll(count).toBe(1);
    await page.reload();
    await row(page, 'Charles Babbage').waitFor();
    expect(await row(page, 'Ada Lovelace').count()).toBe(0);

    // Signing out during the undo time deletes first: a deletion is never silently dropped.
    const email = await page.evaluate(`fetch('/v1/auth/me').then((r) => r.json()).then((b) => b.user.email)`);
    await row(page, 'Charles Babbage').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await toast.waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(String(email));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByText('No contacts yet.').waitFor();
  },
);

it.each(SIZES)(
  'the account page: name, password (other sessions end), sign out everywhere, delete with a clear confirmation ($name)',
  async (size: Size) => {
    const page = await personWith([ADA], size);
    const email = await page.evaluate(async () => ((await (await fetch('/v1/auth/me')).json()) as { user: { email: string } }).user.email);
    const phone = await newPage({ width: 390, height: 844 });
    await phone.getByLabel('Email').fill(email);
    await phone.getByLabel('Password').fill(PASSWORD);
    await phone.getByRole('button', { name: 'Sign in' }).last().click();
    await row(phone, 'Ada Lovelace').waitFor();

    await page.getByRole('link', { name: 'Account: Rosa Parks' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByLabel('Your name').fill('Rosa Louise Parks');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Name saved.').waitFor();
    await page.getByRole('link', { name: 'Account: Rosa Louise Parks' }).waitFor();

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Use at least 8 characters for your new password.').waitFor();
    await page.getByLabel('New password').fill('montgomery bus 1955');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('That is not your current password.').waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('a-currentPassword');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Every other browser and device has been signed out.').waitFor();
    await expectAccessible(page, 'account');
    if (size.name === 'desktop') await shot(page, 'account');
    // The phone was signed out by the change; this browser was not.
    await phone.reload();
    await phone.getByRole('button', { name: 'Sign in' }).last().waitFor();
    expect(await page.evaluate(async () => (await fetch('/v1/auth/me')).status)).toBe(200);

    // Sign out everywhere, then back in with the new password.
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByText('You have been signed out on every browser and device.').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('montgomery bus 1955');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await row(page, 'Ada Lovelace').waitFor();

    // Delete: a dialog says what goes; Cancel keeps everything.
    await page.goto(`${t.baseUrl}/account`);
    await page.getByRole('button', { name: 'Delete account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    await dialog.getByText(`This deletes ${email} and its 1 contact, and signs you out everywhere. It cannot be undone.`).waitFor();
    await expectAccessible(page, 'delete account dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await page.getByRole('button', { name: 'Delete account…' }).click();
    await dialog.getByRole('button', { name: 'Delete account and contacts' }).click();
    await page.getByText('Your account and its contacts have been deleted.').waitFor();
    const login = await page.evaluate(
      async ([e]) =>
        (
          await fetch('/v1/auth/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: e, password: 'montgomery bus 1955' }),
          })
        ).status,
      [email],
    );
    expect(login).toBe(401);
  },
);

it('sign-up says what is wrong in sentences at each field, shows the password rule first, and focuses the first bad field', async () => {
  const page = await newPage();
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByText('At least 8 characters.', { exact: false }).waitFor();
  await page.getByLabel('Email').fill('not an email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).last().click();
  await page.getByText('Enter your name.').waitFor();
  await page.getByText('Enter an email address like name@example.com.').waitFor();
  await page.getByText('Use at least 8 characters for your password.').waitFor();
  expect(await page.evaluate('document.activeElement?.id')).toBe('name');
  expect(await page.getByText('The request is not valid.').count()).toBe(0);
  // Each message is tied to its field for screen readers.
  expect(await page.getByLabel('Password').getAttribute('aria-describedby')).toBe('password-hint password-error');
  await expectAccessible(page, 'sign-up with errors');
  await shot(page, 'sign-up-errors');
});

it('on a phone: the first contact within the first third of the screen, one count, filters in a compact bar, Save always in reach; no serious axe violation on any screen', async () => {
  const many = Array.from({ length: 5 }, (_, i) => ({
    firstName: `Person ${i + 1}`,
    emails: [{ value: `p${i}@example.org` }],
    tags: ['Team'],
  }));
  const page = await personWith([ADA, ...many], { width: 390, height: 844 });
  const first = page.locator('.list li').first();
  await first.waitFor();
  const box = (await first.boundingBox())!;
  expect(box.y).toBeLessThan(844 / 3);
  console.log(`phone: the first contact starts ${Math.round(box.y)} px down a 844 px screen`);
  expect(await page.getByText(/^\d+ contacts?( found)?$/).count()).toBe(1);
  expect(await page.getByLabel('Order').isVisible()).toBe(false);
  await expectAccessible(page, 'list');
  await shot(page, 'phone-list');
  await page.getByRole('button', { name: 'More options' }).click();
  expect(await page.getByLabel('Order').isVisible()).toBe(true);
  await expectAccessible(page, 'list with options');

  await row(page, 'Ada Lovelace').click();
  await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
  await expectAccessible(page, 'contact card');
  await shot(page, 'phone-card');
  await page.getByRole('button', { name: 'Edit' }).click();
  // The form is far taller than the screen; Save stays on it.
  const save = page.getByRole('button', { name: 'Save' });
  const inView = async () => {
    const b = (await save.boundingBox())!;
    return b.y >= 0 && b.y + b.height <= 844;
  };
  expect(await inView()).toBe(true);
  await page.getByLabel('Notes').scrollIntoViewIfNeeded();
  expect(await inView()).toBe(true);
  await expectAccessible(page, 'editor');
  const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
  expect(overflow).toBe(false);

  await page.goto(`${t.baseUrl}/account`);
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await expectAccessible(page, 'account');
  await page.goto(`${t.baseUrl}/duplicates`);
  await page.getByRole('heading', { name: 'Duplicates' }).waitFor();
  await expectAccessible(page, 'duplicates');
  await page.goto(`${t.baseUrl}/import`);
  await page.getByRole('heading', { name: 'Import' }).waitFor();
  await expectAccessible(page, 'import');
});
