import type * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { commonJsExports } from '../commonjs.ts';
import * as z from '../zod.ts';

/** The AWS SDK's Secrets Manager module, loaded on first use: no one else pays for it at start-up. */
export async function loadSecretsManagerSdk(): Promise<typeof SecretsManagerSdk> {
  return commonJsExports(await import('@aws-sdk/client-secrets-manager'));
}

/** The keys the deployment keeps in one Secrets Manager secret (design notes). */
export const SECRET_KEYS = ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'SESSION_SECRET', 'REDIS_URL'] as const;

// PGPORT arrives as a number from RDS-generated secrets and as a string from
// hand-made ones; both are fine. Extra keys (engine, dbname, ...) are ignored.
const secretValue = z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform(String));
const secretSchema = z.object({
  PGHOST: secretValue,
  PGPORT: secretValue,
  PGUSER: secretValue,
  PGPASSWORD: secretValue,
  SESSION_SECRET: secretValue,
  REDIS_URL: secretValue,
});

/** The whole read, retries included. */
export const SECRETS_DEADLINE_MS = 10_000;

/** Per attempt: the SDK's HTTP handler gives up on a silent endpoint after these (its defaults never do). */
export const SECRETS_HTTP_TIMEOUTS = { connectionTimeout: 2_000, requestTimeout: 3_000 } as const;

export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * Reads the six deployment secrets. The SDK client honours AWS_ENDPOINT_URL
 * and AWS_REGION itself, so the same code reads LocalStack or real AWS.
 * Messages name keys, never values.
 */
export async function readDeploymentSecrets(
  client: SecretsManagerClient,
  secretId: string,
  { deadlineMs = SECRETS_DEADLINE_MS }: { deadlineMs?: number } = {},
): Promise<z.output<typeof secretSchema>> {
  let text: string | undefined;
  try {
    // Loaded on use: the SDK is a large module graph that a start without SECRETS_ID never needs.
    const { GetSecretValueCommand } = await loadSecretsManagerSdk();
    // One deadline over the SDK's retries too: a silent endpoint must fail
    // the start (and the task be replaced), not hang it.
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: AbortSignal.timeout(deadlineMs) });
    text = out.SecretString;
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    throw new SecretError(`SECRETS_ID: could not read secret "${secretId}" (${name})`);
  }
  if (!text) throw new SecretError(`SECRETS_ID: secret "${secretId}" has no SecretString`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SecretError(`SECRETS_ID: secret "${secretId}" is not a JSON object`);
  }
  const parsed = secretSchema.safeParse(json);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
    throw new SecretError(`SECRETS_ID: secret "${secretId}" is missing or has invalid keys: ${keys.join(', ')}`);
  }
  return parsed.data;
}
