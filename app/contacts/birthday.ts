import { birthdaySchema } from './schemas.ts';

/*
 * Birthdays as exporters write them (vCard 3.0 and 4.0, Apple's, the CSVs),
 * read into the contact's YYYY-MM-DD or --MM-DD; its own module so the CSV
 * code does not load the vCard parser.
 */

export const MONTH_DAY = /^--(\d{2})-?(\d{2})$/;

/** YYYY-MM-DD or --MM-DD from the date forms of vCard 3/4 and the CSVs; undefined when it is neither. */
export function normalizeBirthday(raw: string, omitYear?: string): string | undefined {
  const text = raw.trim();
  const md = MONTH_DAY.exec(text);
  if (md) return `--${md[1]}-${md[2]}`;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$/.exec(text);
  if (!m) return undefined;
  // Apple's year-less birthday: BDAY;X-APPLE-OMIT-YEAR=1604:1604-08-23; iOS 12
  // wrote the 1604 without the parameter (nextcloud/server#16086).
  if ((omitYear && omitYear === m[1]) || m[1] === '1604') return `--${m[2]}-${m[3]}`;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * A birthday when `raw` (or the caller's reading of it) is a real date;
 * otherwise its text for the notes, so nothing is lost and the contact
 * still imports.
 */
export function birthdayOrNote(raw: string, alternative?: string, omitYear?: string): { birthday: string | null; note?: string } {
  const text = raw.trim();
  if (!text) return { birthday: null };
  for (const candidate of [normalizeBirthday(text, omitYear), alternative]) {
    if (candidate && birthdaySchema.safeParse(candidate).success) return { birthday: candidate };
  }
  return { birthday: null, note: `Birthday: ${text}` };
}
