/*
 * The UID our vCards carry for a contact ("urn:uuid:<id>"), read back: by an
 * import (a card we exported) and by a CardDAV PUT (a card we served). Its
 * own module, so the CardDAV store, built at start-up, does not load ical.js.
 */

/** The contact id in a UID of that form (any case), if it is one. */
export function contactIdOfUid(uid: string): string | undefined {
  return /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(uid)?.[1]?.toLowerCase();
}
