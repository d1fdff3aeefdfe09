import { describe, expect, it } from 'vitest';
import { parseSyncToken, syncToken } from '../../app/carddav/resources.ts';
import { MAX_IN_FLIGHT, syncPointOf } from '../../app/carddav/store.ts';

/*
 * The sync point a token carries: just above the book's newest change, with
 * the transactions then running below it (they may still commit a change
 * there), or, when there are too many to name, the oldest running one.
 */
describe('sync points and their tokens', () => {
  it('names the running transactions below the newest change, and reads them back', () => {
    const point = syncPointOf({ newest: '900', xmin: '850', below: ['850', '870'], floor: '400' });
    expect(point).toEqual({ point: '901', inFlight: ['850', '870'], floor: '400' });
    expect(parseSyncToken(syncToken(point))).toEqual(point);
  });

  it('with none running below, the token is the point alone, the same from poll to poll', () => {
    const quiet = syncPointOf({ newest: '900', xmin: '950', below: null, floor: null });
    expect(quiet).toEqual({ point: '901', inFlight: [], floor: '-1' });
    expect(syncToken(quiet)).toBe(syncToken(syncPointOf({ newest: '900', xmin: '990', below: [], floor: null })));
    expect(parseSyncToken(syncToken(quiet))).toEqual(quiet);
  });

  it(`with more than ${MAX_IN_FLIGHT} running, falls back to the oldest running transaction`, () => {
    const below = Array.from({ length: MAX_IN_FLIGHT + 1 }, (_, i) => String(800 + i));
    expect(syncPointOf({ newest: '900', xmin: '800', below, floor: null })).toEqual({ point: '800', inFlight: [], floor: '-1' });
  });

  it('refuses tokens naming more running transactions than it gives, or ids beyond 64 bits', () => {
    const day = Math.floor(Date.now() / 1000 / 86_400) * 86_400;
    const many = Array.from({ length: MAX_IN_FLIGHT + 1 }, (_, i) => String(800 + i)).join('.');
    expect(parseSyncToken(`https://contactfolio.com/ns/sync/901-${day}--1-${many}`)).toBeNull();
    expect(parseSyncToken(`https://contactfolio.com/ns/sync/901-${day}--1-99999999999999999999`)).toBeNull();
    // A token of the earlier form (point and day) still reads.
    expect(parseSyncToken(`https://contactfolio.com/ns/sync/901-${day}`)).toEqual({ point: '901', inFlight: [], floor: '-1' });
  });
});
