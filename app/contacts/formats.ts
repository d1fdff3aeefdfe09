import type { Request } from 'express';
import { HttpProblem } from '../http/problem.ts';
import type { FormatParser } from './import.ts';
import { decodeImportBody, declaredCharset } from './text-encoding.ts';

/*
 * The address-book file formats as the routes meet them: their content
 * types, the import body's size limit, and their modules, which load on
 * first use (ical.js and csv-parse are a start-up cost, a Lambda cold
 * start's included, that lists never need).
 */

export const csvFormat = () => import('./csv.ts');
export const vcardFormat = () => import('./vcard.ts');

/** Imports may be larger than JSON bodies: a full address book with notes. */
export const IMPORT_LIMIT = '5mb';
export const VCARD_TYPES = ['text/vcard', 'text/x-vcard', 'text/directory'];
export const CSV_TYPES = ['text/csv', 'application/csv'];
export const IMPORT_TYPES = [...VCARD_TYPES, ...CSV_TYPES];

/** An import request's text, in the encoding its exporter wrote, and the parser for its format. */
export async function readImportBody(req: Request): Promise<{ text: string; parser: FormatParser }> {
  const text = Buffer.isBuffer(req.body) ? decodeImportBody(req.body, declaredCharset(req.get('content-type'))).text : '';
  if (text.trim() === '') throw new HttpProblem('unparseable_import', 'The import body is empty.');
  const parser = req.is(CSV_TYPES) ? (await csvFormat()).parseCsv : (await vcardFormat()).parseVCards;
  return { text, parser };
}
