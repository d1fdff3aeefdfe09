import { useEffect, useRef } from 'preact/hooks';
import type { Contact } from './api.ts';
import { capitalize, displayName, formatBirthday, labelText, webHref } from './format.ts';

/** One address as lines: street; postal code, city, region; country. */
export function addressLines(a: Contact['addresses'][number]): string[] {
  return [a.street, [a.postalCode, a.city, a.region].filter(Boolean).join(' '), a.country].filter((l): l is string => Boolean(l));
}

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

interface Props {
  contact: Contact;
  onEdit: () => void;
  onClose: () => void;
}

/** A contact as a person reads it: every field that is set, labels in the person's own words. */
export function ContactDetail({ contact: c, onEdit, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [c.id]);
  const name = displayName(c);
  const facts: [string, preact.ComponentChildren][] = [];
  const add = (term: string, value: preact.ComponentChildren) => facts.push([term, value]);
  if (c.nickname && c.nickname !== name) add('Nickname', c.nickname);
  // The company is left out when it is the name shown (a contact without a person's name).
  if (c.company && c.company !== name) add('Company', c.company);
  if (c.jobTitle) add('Job title', c.jobTitle);
  for (const e of c.emails) add(`Email (${labelText(e)})`, <a href={`mailto:${e.value}`}>{e.value}</a>);
  for (const p of c.phones) add(`Phone (${labelText(p)})`, <a href={`tel:${p.value.replace(/[^\d+*#,;]/g, '')}`}>{p.value}</a>);
  for (const a of c.addresses) {
    add(
      `Address (${labelText(a)})`,
      addressLines(a).map((line, i) => (
        <span class="line" key={i}>
          {line}
        </span>
      )),
    );
  }
  for (const u of c.urls) add(`Web (${labelText(u)})`, <WebLink value={u.value} />);
  for (const r of c.related) add(capitalize(labelText(r)), r.value);
  if (c.birthday) add('Birthday', formatBirthday(c.birthday));
  if (c.tags.length) add('Tags', c.tags.join(', '));
  if (c.notes) add('Notes', <span class="notes">{c.notes}</span>);

  return (
    <article class="detail" aria-labelledby="detail-name">
      <header>
        <h2 id="detail-name" tabIndex={-1} ref={heading}>
          {name}
        </h2>
        <button type="button" class="icon" aria-label="Close contact" onClick={onClose}>
          ✕
        </button>
      </header>
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
      </div>
    </article>
  );
}
