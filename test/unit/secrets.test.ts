import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { readDeploymentSecrets, SecretError } from '../../app/config/secrets.ts';

// AWS is the edge of the world: a stand-in client answering GetSecretValue.
function client(answer: () => unknown): SecretsManagerClient {
  return { send: async () => answer() } as unknown as SecretsManagerClient;
}

const complete = { PGHOST: 'db', PGPORT: 5432, PGUSER: 'app', PGPASSWORD: 'hunter2-secret', SESSION_SECRET: 's'.repeat(40), REDIS_URL: 'rediss://c:6379', engine: 'postgres' };

describe('readDeploymentSecrets', () => {
  it('returns the six keys as strings (PGPORT may be a number) and ignores extras', async () => {
    const s = await readDeploymentSecrets(client(() => ({ SecretString: JSON.stringify(complete) })), 'cf/app');
    expect(s).toEqual({ PGHOST: 'db', PGPORT: '5432', PGUSER: 'app', PGPASSWORD: 'hunter2-secret', SESSION_SECRET: 's'.repeat(40), REDIS_URL: 'rediss://c:6379' });
  });

  it('names missing keys, never values', async () => {
    const { PGPASSWORD, REDIS_URL, ...partial } = complete;
    const err = await readDeploymentSecrets(client(() => ({ SecretString: JSON.stringify(partial) })), 'cf/app').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretError);
    expect((err as Error).message).toMatch(/PGPASSWORD, REDIS_URL/);
    expect((err as Error).message).not.toContain(partial.SESSION_SECRET);
  });

  it('explains a secret that is not JSON, empty, or unreadable', async () => {
    await expect(readDeploymentSecrets(client(() => ({ SecretString: 'hunter2' })), 'x')).rejects.toThrow(/not a JSON object/);
    await expect(readDeploymentSecrets(client(() => ({})), 'x')).rejects.toThrow(/no SecretString/);
    const notFound = Object.assign(new Error('Secrets Manager can’t find the specified secret.'), { name: 'ResourceNotFoundException' });
    await expect(readDeploymentSecrets(client(() => { throw notFound; }), 'missing')).rejects.toThrow(/could not read secret "missing" \(ResourceNotFoundException\)/);
  });
});
