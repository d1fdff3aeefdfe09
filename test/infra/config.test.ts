import { App } from 'aws-cdk-lib';
import { expect, it } from 'vitest';
import { PLACEHOLDER_ZONE_ID, readConfig } from '../../infra/config.ts';

const config = (context: Record<string, unknown>) => readConfig(new App({ context }));

it('an empty hostedZoneId (an unset CI variable) fails at once with a message saying what to pass', () => {
  expect(() => config({ hostedZoneId: '' })).toThrow(/hostedZoneId is empty: pass the Route 53 hosted zone id/);
  expect(() => config({ hostedZoneId: '  ' })).toThrow(/hostedZoneId is empty/);
});

it('a hostedZoneId that is not a zone id fails at once', () => {
  expect(() => config({ hostedZoneId: 'contactfolio.com' })).toThrow(/expected a Route 53 hosted zone id/);
  expect(() => config({ hostedZoneId: '/hostedzone/Z123' })).toThrow(/expected a Route 53 hosted zone id/);
});

it('a real zone id is taken as it is; none at all keeps the offline synth placeholder', () => {
  expect(config({ hostedZoneId: 'Z0123456789ABCDEFGHIJ' }).hostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
  expect(config({}).hostedZoneId).toBe(PLACEHOLDER_ZONE_ID);
});

it('alarmEmail: taken when given, none when unset or empty (an unset CI variable), refused when not an address', () => {
  expect(config({ alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
  expect(config({ alarmEmail: '' }).alarmEmail).toBeUndefined();
  expect(() => config({ alarmEmail: 'ops' })).toThrow(/alarmEmail: expected an email address/);
});
