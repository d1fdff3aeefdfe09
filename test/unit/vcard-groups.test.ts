import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { propertiesNotModelled, vcardToInput } from '../../app/contacts/vcard.ts';

/*
 * Cards with many of Apple's item groups (itemN.EMAIL beside its
 * itemN.X-ABLabel), as a CardDAV PUT or an import can send: every property
 * still finds its own label, in order. The mapping once copied its list per
 * property (quadratic: 15,000 groups took 4.6 s; now 0.3 s, measured
 * outside the tests).
 */

const cardOf = (lines: string[]) =>
  new ICAL.Component(
    ICAL.parse(['BEGIN:VCARD', 'VERSION:3.0', 'UID:g', 'FN:Many Groups', ...lines, 'END:VCARD', ''].join('\r\n')) as unknown[],
  );

describe('many item groups', () => {
  it('maps each of 2,000 labelled emails with its own label, in order', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => [
      `item${i + 1}.EMAIL:u${i}@example.test`,
      `item${i + 1}.X-ABLabel:desk ${i}`,
    ]).flat();
    const { input } = vcardToInput(cardOf(lines));
    const emails = input.emails as { value: string; label: string; customLabel: string | null }[];
    expect(emails).toHaveLength(2000);
    expect(emails[0]).toMatchObject({ value: 'u0@example.test', customLabel: 'desk 0' });
    expect(emails[1999]).toMatchObject({ value: 'u1999@example.test', customLabel: 'desk 1999' });
    expect(emails.every((e, i) => e.value === `u${i}@example.test` && e.customLabel === `desk ${i}`)).toBe(true);
  });

  it('keeps each of 2,000 unmodelled properties with its label, and nothing twice', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => [
      `item${i + 1}.X-SOCIALPROFILE;TYPE=x:https://x.test/${i}`,
      `item${i + 1}.X-ABLabel:profile ${i}`,
    ]).flat();
    const kept = propertiesNotModelled(cardOf(lines));
    expect(kept).toHaveLength(4000);
    expect(kept.filter((p) => p[0] === 'x-socialprofile').map((p) => p[3])).toEqual(
      Array.from({ length: 2000 }, (_, i) => `https://x.test/${i}`),
    );
  });
});
