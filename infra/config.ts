import type { App } from 'aws-cdk-lib';

/*
 * Everything environment-specific comes from CDK context (cdk.json, or
 * `-c key=value`) with the design notes' values as defaults, so the app
 * synthesizes offline with no credentials and no lookups.
 */
export interface DeploymentConfig {
  account?: string;
  region: string;
  /** Apex domain served by CloudFront; the API lives at api.<domain>. */
  domainName: string;
  apiDomainName: string;
  hostedZoneId: string;
  hostedZoneName: string;
  /** Production keeps data safe by default; set false for throwaway stacks. */
  deletionProtection: boolean;
  backupRetentionDays: number;
  maxUsers: number;
  maxContactsPerUser: number;
  /** Deploy the optional Lambda variant stack. */
  lambda: boolean;
  desiredTasks: number;
  maxTasks: number;
  /** Alarm notifications go here by email (context alarmEmail, else ALARM_EMAIL); none when unset or empty. */
  alarmEmail?: string;
}

function flag(v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  return v === true || v === 'true';
}

function int(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`context ${name}: expected a whole number, got ${JSON.stringify(v)}`);
  return n;
}

/** A Route 53 hosted zone id (Z and upper-case letters and digits), or the synth-only placeholder when none is given. */
function hostedZoneId(v: unknown): string {
  if (v === undefined) return PLACEHOLDER_ZONE_ID; // `npm run synth` offline
  const id = String(v).trim();
  // An unset CI variable arrives as "": without this it synthesizes a
  // certificate and records in zone "" and fails only deep into the deploy.
  if (id === '')
    throw new Error(
      'context hostedZoneId is empty: pass the Route 53 hosted zone id of the domain (-c hostedZoneId=Z..., the HOSTED_ZONE_ID variable in CI)',
    );
  if (!/^Z[A-Z0-9]{1,31}$/.test(id))
    throw new Error(`context hostedZoneId: expected a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ, got ${JSON.stringify(v)}`);
  return id;
}
function alarmEmail(v: unknown): string | undefined {
  const email = v === undefined ? '' : String(v).trim();
  if (email === '') return undefined; // an unset CI variable: alarms still go to the topic
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new Error(`context alarmEmail: expected an email address, got ${JSON.stringify(v)}`);
  return email;
}
export const PLACEHOLDER_ZONE_ID = 'Z0000000000000EXAMPLE';

export function readConfig(app: App): DeploymentConfig {
  const ctx = (key: string) => app.node.tryGetContext(key) as unknown;
  const domainName = String(ctx('domainName') ?? 'contactfolio.com');
  return {
    account: (ctx('account') as string | undefined) ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: String(ctx('region') ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1'),
    domainName,
    apiDomainName: String(ctx('apiDomainName') ?? `api.${domainName}`),
    // A placeholder id keeps `synth` working; a real deploy passes -c hostedZoneId=Z...
    hostedZoneId: hostedZoneId(ctx('hostedZoneId')),
    hostedZoneName: String(ctx('hostedZoneName') ?? domainName),
    deletionProtection: flag(ctx('deletionProtection'), true),
    backupRetentionDays: int('backupRetentionDays', ctx('backupRetentionDays'), 7),
    maxUsers: int('maxUsers', ctx('maxUsers'), 50),
    maxContactsPerUser: int('maxContactsPerUser', ctx('maxContactsPerUser'), 50),
    lambda: flag(ctx('lambda'), false),
    desiredTasks: int('desiredTasks', ctx('desiredTasks'), 2),
    maxTasks: int('maxTasks', ctx('maxTasks'), 6),
    alarmEmail: alarmEmail(ctx('alarmEmail') ?? process.env.ALARM_EMAIL),
  };
}
