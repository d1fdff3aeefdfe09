import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Contact } from './api.ts';
import { avatarName, capitalize, displayName, formatBirthday, initials, labelText, webHref } from './format.ts';

/** One address as lines: street; postal code, city, region; country. */
export function addressLines(a: Contact['addresses'][number]): string[] {
  return [a.street, [a.postalCode, a.city, a.region].filter(Boolean).join(' '), a.country].filter((l): l is string => Boolean(l));
}

/** A map search for an address (OpenStreetMap: no account, no key, works in every country). */
export function mapHref(a: Contact['addresses'][number]): string {
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(addressLines(a).join(', '))}`;
}

/** What a tel: link dials: digits and the characters RFC 3966 allows a phone-number to keep. */
export const telHref = (phone: string) => `tel:${phone.replace(/[^\d+*#,;]/g, '')}`;

/** A web address as a link (https:// added when it has no scheme), or as text when it cannot safely be one. */
export function WebLink({ value }: { value: string }) {
  const href = webHref(value);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {value}
    </a>
  ) : (
    <>{value}</>
  );
}

/** The initials in a circle whose colour comes from the name, so a person is recognised at a glance. */
export function Avatar({ name, size = 'small' }: { name: string; size?: 'small' | 'large' }) {
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.codePointAt(0)!) % 360;
  return (
    <span class={`avatar ${size}`} style={{ '--hue': hue }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

interface Props {
  contact: Contact;
  tagHref: (tag: string) => string;
  onEdit: () => void;
  onClose: () => void;
  onFavorite: () => void;
  onDelete: () => void;
}

/** A contact as a person reads it: every field that is set, labels in the person's own words, each a link where one helps. */
export function ContactDetail({ contact: c, tagHref, onEdit, onClose, onFavorite, onDelete }: Props) {
  const name = displayName(c);
  const heading = useRef<HTMLHeadingElement>(null);
  // The card may arrive after its panel opened (fetched): focus its name then.
  useEffect(() => heading.current?.focus(), [c.id]);
  const facts: [string, ComponentChildren][] = [];
  const add = (term: string, value: ComponentChildren) => facts.push([term, value]);
  if (c.nickname && c.nickname !== name) add('Nickname', c.nickname);
  for (const e of c.emails) add(`Email (${labelText(e)})`, <a href={`mailto:${e.value}`}>{e.value}</a>);
  for (const p of c.phones) add(`Phone (${labelText(p)})`, <a href={telHref(p.value)}>{p.value}</a>);
  for (const a of c.addresses) {
    add(
      `Address (${labelText(a)})`,
      <>
        {addressLines(a).map((line, i) => (
          <span class="line" key={i}>
            {line}
          </span>
        ))}
        <a class="map" href={mapHref(a)} target="_blank" rel="noopener noreferrer">
          Show on a map
        </a>
      </>,
    );
  }
  for (const u of c.urls) add(`Web (${labelText(u)})`, <WebLink value={u.value} />);
  for (const r of c.related) add(capitalize(labelText(r)), r.value);
  if (c.birthday) add('Birthday', formatBirthday(c.birthday));
  if (c.notes) add('Notes', <span class="notes">{c.notes}</span>);
  // The company is left out when it is the name shown (a contact without a person's name).
  const work = [c.jobTitle, c.company !== name ? c.company : null].filter(Boolean).join(', ');

  return (
    <article class="detail" aria-labelledby="detail-name">
      <header class="card-head">
        <Avatar name={avatarName(c)} size="large" />
        <div class="who">
          <h2 id="detail-name" tabIndex={-1} ref={heading}>
            {name}
          </h2>
          {work && <p class="work">{work}</p>}
        </div>
        <button type="button" class={`star${c.favorite ? ' on' : ''}`} aria-pressed={c.favorite} aria-label="Favorite" onClick={onFavorite}>
          {c.favorite ? '★' : '☆'}
        </button>
        <button type="button" class="icon" aria-label="Close contact" onClick={onClose}>
          ✕
        </button>
      </header>
      {c.tags.length > 0 && (
        <ul class="chips" aria-label="Tags">
          {c.tags.map((t) => (
            <li key={t}>
              <a class="tag" href={tagHref(t)} aria-label={`Show contacts tagged ${t}`}>
                {t}
              </a>
            </li>
          ))}
        </ul>
      )}
      {facts.length > 0 ? (
        <dl class="facts">
          {facts.map(([term, value], i) => (
            <div key={i}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="empty">Nothing else is recorded for this contact.</p>
      )}
      <div class="actions">
        <button class="primary" type="button" onClick={onEdit}>
          Edit
        </button>
        <button class="danger" type="button" onClick={onDelete}>
          Delete
        </button>
      </div>
    </article>
  );
}
