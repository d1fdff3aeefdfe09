import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDAVClient, type DAVAddressBook, type DAVVCard } from 'tsdav';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { card, davUser, type DavUser } from './support.ts';

/*
 * A real CardDAV client library (tsdav, which web and Node clients use)
 * against the app: discovery from the bare origin (RFC 6764), a full and
 * an incremental sync (RFC 6578), and writes both ways, the JSON API's
 * included.
 */

let app: TestApp;
let user: DavUser;
let client: Awaited<ReturnType<typeof createDAVClient>>;
let book: DAVAddressBook;

beforeAll(async () => {
  app = await startTestApp();
  user = await davUser(app);
  client = await createDAVClient({
    serverUrl: app.baseUrl,
    credentials: { username: user.email, password: user.password },
    authMethod: 'Basic',
    defaultAccountType: 'carddav',
  });
});
afterAll(() => app?.close());

describe('tsdav against the app', () => {
  it('discovers the address book from the bare origin', async () => {
    const books = await client.fetchAddressBooks();
    expect(books).toHaveLength(1);
    book = books[0]!;
    expect(book.url).toBe(`${app.baseUrl}/dav/addressbooks/${user.id}/contacts/`);
    expect(book.displayName).toBe('Contacts');
    expect(book.syncToken).toMatch(/^https:\/\/contactfolio\.com\/ns\/sync\//);
    expect(book.ctag).toBeTruthy();
  });

  it('syncs, creates, updates and deletes cards, and sees the JSON API’s changes by an incremental sync', async () => {
    // One contact made in the web app before the first sync.
    const web = await user.agent
      .post('/v1/contacts')
      .send({ firstName: 'Ada', lastName: 'Lovelace', emails: [{ value: 'ada@example.test' }] });
    expect(web.status).toBe(201);

    let cards: DAVVCard[] = await client.fetchVCards({ addressBook: book });
    expect(cards).toHaveLength(1);
    expect(cards[0]!.data).toContain('FN:Ada Lovelace');
    expect(cards[0]!.data).toContain(`UID:urn:uuid:${web.body.id}`);
    expect(cards[0]!.etag).toBe(`"${web.body.id}-1"`);

    // The phone adds a card with its own UID and a property the contact does not model.
    const created = await client.createVCard({
      addressBook: book,
      filename: 'phone-1.vcf',
      vCardString: card(
        'phone-1@device',
        'N:Hopper;Grace;;;',
        'FN:Grace Hopper',
        'TEL;TYPE=CELL:+1 555 0100',
        'X-SOCIALPROFILE;TYPE=mastodon:https://example.social/@grace',
      ),
    });
    expect(created.status).toBe(201);
    const list = await user.agent.get('/v1/contacts?q=hopper');
    expect(list.body.items).toHaveLength(1);
    const graceId = list.body.items[0].id as string;

    const synced = await client.smartCollectionSync({
      collection: { ...book, objects: cards, objectMultiGet: client.addressBookMultiGet },
      method: 'webdav',
      detailedResult: true,
    });
    expect(synced.objects.created.map((o) => o.url)).toEqual([`${book.url}phone-1.vcf`]);
    const grace = synced.objects.created[0]!;
    expect(grace.data).toContain('UID:phone-1@device');
    expect(grace.data).toContain('X-SOCIALPROFILE;TYPE=mastodon:https://example.social/@grace');

    // The phone edits it; the web app sees the edit.
    const updated = await client.updateVCard({
      vCard: {
        ...grace,
        data: String(grace.data).replace('FN:Grace Hopper', 'FN:Grace B. Hopper').replace('N:Hopper;Grace;;;', 'N:Hopper;Grace;B.;;'),
      },
    });
    expect(updated.status).toBe(204);
    const after = await user.agent.get(`/v1/contacts/${graceId}`);
    expect(after.body.middleName).toBe('B.');

    // The web app edits Ada and deletes nothing yet; the phone deletes Grace.
    cards = [...cards, { ...grace }];
    await user.agent.patch(`/v1/contacts/${web.body.id}`).send({ company: 'Analytical Engines' }).expect(200);
    const gone = await client.deleteVCard({ vCard: { ...grace, etag: undefined } });
    expect(gone.status).toBe(204);
    await user.agent.get(`/v1/contacts/${graceId}`).expect(404);

    const second = await client.smartCollectionSync({
      collection: { ...book, syncToken: synced.syncToken, objects: cards, objectMultiGet: client.addressBookMultiGet },
      method: 'webdav',
      detailedResult: true,
    });
    expect(second.objects.updated.map((o) => o.url)).toEqual([`${book.url}${web.body.id}.vcf`]);
    expect(second.objects.updated[0]!.data).toContain('ORG:Analytical Engines');
    expect(second.objects.deleted.map((o) => o.url)).toEqual([`${book.url}phone-1.vcf`]);
    expect(second.objects.created).toEqual([]);

    // A deletion in the web app shows up in the phone's next sync.
    await user.agent.delete(`/v1/contacts/${web.body.id}`).expect(204);
    const third = await client.smartCollectionSync({
      collection: { ...book, syncToken: second.syncToken, objects: second.objects.updated, objectMultiGet: client.addressBookMultiGet },
      method: 'webdav',
      detailedResult: true,
    });
    expect(third.objects.deleted.map((o) => o.url)).toEqual([`${book.url}${web.body.id}.vcf`]);
  });
});
