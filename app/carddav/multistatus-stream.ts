import type { Response } from 'express';
import { setImmediate as turn } from 'node:timers/promises';
import { MULTISTATUS_HEAD, MULTISTATUS_TAIL, writeXmlFragment, type XmlElement } from './xml.ts';

/**
 * How long a client may take nothing of an answer before it is cut. A phone
 * on a poor network reads slowly but reads; one that reads nothing for a
 * minute holds a socket and a page of cards for no one.
 */
export const STALLED_READER_MS = 60_000;

export interface MultistatusOptions {
  /** Elements written after the responses (a sync's new token), once they are all out. */
  after?: () => XmlElement[];
  stalledReaderMs?: number;
}

/** Resolves when the client has taken what was written, or has gone, or has been cut for taking nothing for `ms`. */
const drained = (res: Response, ms: number) =>
  new Promise<void>((resolve) => {
    if (res.destroyed) return resolve();
    const done = () => {
      clearTimeout(timer);
      res.off('drain', done).off('close', done);
      resolve();
    };
    const timer = setTimeout(() => {
      res.destroy();
      done();
    }, ms);
    res.on('drain', done).on('close', done);
  });

/**
 * A 207 multistatus (RFC 4918 13), written a response at a time as the
 * client takes them: a sync of every card with its photo is never one string
 * in memory. The first responses are read before anything is sent, so a
 * database that is down is still a 503; a failure after that cuts the
 * connection, so half an answer cannot pass for a whole one. A client that
 * goes, or stops reading, ends the reading of responses.
 */
export async function multistatus(
  res: Response,
  responses: AsyncIterable<XmlElement> | Iterable<XmlElement>,
  { after = () => [], stalledReaderMs = STALLED_READER_MS }: MultistatusOptions = {},
): Promise<void> {
  const iterator = Symbol.asyncIterator in responses ? responses[Symbol.asyncIterator]() : responses[Symbol.iterator]();
  // Two responses ahead: the resource itself, then its first member, which
  // reads the first page of cards.
  const ahead: XmlElement[] = [];
  let next = await iterator.next();
  for (; !next.done && ahead.length < 2; next = await iterator.next()) ahead.push(next.value);
  res.status(207).type('application/xml; charset=utf-8');
  // Once the client has gone (or was cut), nothing more is read or written.
  const write = async (chunk: string) => {
    if (!res.destroyed && !res.write(chunk)) await drained(res, stalledReaderMs);
  };
  await write(MULTISTATUS_HEAD);
  for (const e of ahead) await write(writeXmlFragment(e));
  for (; !next.done && !res.destroyed; next = await iterator.next()) {
    await write(writeXmlFragment(next.value));
    // A card at the caps takes about 30 ms to write: other requests get their turn between cards.
    await turn();
  }
  if (res.destroyed) {
    // Lets a generator that reads pages of cards finish (its finally blocks run).
    await iterator.return?.();
    return;
  }
  for (const e of after()) await write(writeXmlFragment(e));
  res.end(MULTISTATUS_TAIL);
}
