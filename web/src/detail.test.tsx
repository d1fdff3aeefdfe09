import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContactDetail } from './detail.tsx';
import { displayName, formatBirthday, initials, webHref } from './format.ts';
import { contact } from './test-support.ts';

afterEach(cleanup);

describe('format', () => {
  it('a web address becomes a link: https:// added when it has no scheme; never a script', () => {
    expect(webHref('example.com')).toBe('https://example.com/');
    expect(webHref('example.com:8080/path')).toBe('https://example.com:8080/path');
    expect(webHref('//cdn.example.com/x')).toBe('https://cdn.example.com/x');
    expect(webHref('http://example.com/a?b=c')).toBe('http://example.com/a?b=c');
    expect(webHref('mailto:ada@example.org')).toBe('mailto:ada@example.org');
    expect(webHref('javascript:alert(1)')).toBeNull();
    expect(webHref('JavaScript:alert(1)')).toBeNull();
    expect(webHref('data:text/html,x')).toBeNull();
  });

  it('a birthday without a year reads as a day and month (23 August), one with a year in full', () => {
    expect(formatBirthday('--08-23', 'en-GB')).toBe('23 August');
    expect(formatBirthday('--08-23', 'en-US')).toBe('August 23');
    expect(formatBirthday('--02-29', 'en-GB')).toBe('29 February');
    expect(formatBirthday('1990-02-28', 'en-GB')).toBe('28 February 1990');
    expect(formatBirthday('0044-03-15', 'en-GB')).toBe('15 March 44');
    expect(formatBirthday('someday', 'en-GB')).toBe('someday');
  });

  it('initials: the first letters of the first and last words, in any script', () => {
    expect(initials('Ada King Lovelace')).toBe('AL');
    expect(initials('zoë ørsted')).toBe('ZØ');
    expect(initials('Pizzeria Da Michele')).toBe('PM');
    expect(initials('a@b.co')).toBe('AC');
    expect(initials('+1 555 0100')).toBe('10');
    expect(initials('李小龍')).toBe('李');
    expect(initials('')).toBe('?');
  });

  it('the full name has every part; without one, nickname, company, email or phone', () => {
    expect(
      displayName(
        contact({ prefix: 'Dr.', firstName: 'Ada', middleName: 'King', lastName: 'Lovelace', suffix: 'Jr.', nickname: 'Countess' }),
      ),
    ).toBe('Dr. Ada King Lovelace Jr.');
    expect(displayName(contact({ nickname: 'Countess', company: 'Analytical Engines' }))).toBe('Countess');
    expect(displayName(contact({ emails: [{ value: 'a@b.co', label: 'home', customLabel: null }] }))).toBe('a@b.co');
  });
});

describe('ContactDetail', () => {
  it('shows the new fields: full name, nickname, custom labels, web links, related people, a year-less birthday', () => {
    const onEdit = vi.fn();
    render(
      <ContactDetail
        tagHref={(t) => `/?tag=${t}`}
        onFavorite={vi.fn()}
        onDelete={vi.fn()}
        contact={contact({
          prefix: 'Dr.',
          firstName: 'Ada',
          middleName: 'King',
          lastName: 'Lovelace',
          suffix: 'Jr.',
          nickname: 'Countess',
          phones: [{ value: '+44 20 7946 0000', label: 'other', customLabel: 'Boat' }],
          emails: [{ value: 'ada@example.org', label: 'work', customLabel: null }],
          addresses: [
            {
              street: '1 Lake Rd',
              city: 'Ockham',
              region: null,
              postalCode: 'GU23',
              country: 'UK',
              label: 'home',
              customLabel: 'Lake house',
            },
          ],
          urls: [
            { value: 'example.org/ada', label: 'home', customLabel: null },
            { value: 'javascript:alert(1)', label: 'other', customLabel: 'Odd' },
          ],
          related: [
            { value: 'Annabella Milbanke', label: 'mother', customLabel: null },
            { value: 'Charles Babbage', label: 'other', customLabel: 'mentor' },
          ],
          birthday: '--12-10',
        })}
        onEdit={onEdit}
        onClose={vi.fn()}
      />,
    );
    expect(screen.getByRole('heading', { name: 'Dr. Ada King Lovelace Jr.' })).toBeTruthy();
    // Phones dial, addresses find the place on a map, the avatar shows initials.
    expect(screen.getByRole('link', { name: '+44 20 7946 0000' }).getAttribute('href')).toBe('tel:+442079460000');
    expect(screen.getByRole('link', { name: 'Show on a map' }).getAttribute('href')).toBe(
      'https://www.openstreetmap.org/search?query=1%20Lake%20Rd%2C%20GU23%20Ockham%2C%20UK',
    );
    expect(document.querySelector('.avatar')?.textContent).toBe('AL');
    const facts = Object.fromEntries(
      [...document.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]),
    );
    expect(facts).toEqual({
      Nickname: 'Countess',
      'Email (work)': 'ada@example.org',
      'Phone (Boat)': '+44 20 7946 0000',
      'Address (Lake house)': '1 Lake RdGU23 OckhamUKShow on a map',
      'Web (home)': 'example.org/ada',
      'Web (Odd)': 'javascript:alert(1)',
      Mother: 'Annabella Milbanke',
      Mentor: 'Charles Babbage',
      Birthday: formatBirthday('--12-10'),
    });
    const link = screen.getByRole('link', { name: 'example.org/ada' });
    expect(link.getAttribute('href')).toBe('https://example.org/ada');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(screen.queryByRole('link', { name: 'javascript:alert(1)' })).toBeNull();
    expect(screen.getByRole('link', { name: '+44 20 7946 0000' }).getAttribute('href')).toBe('tel:+442079460000');
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    expect(onEdit).toHaveBeenCalled();
  });
});
