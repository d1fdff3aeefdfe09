import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { readDeploymentSecrets, SecretError, SECRETS_HTTP_TIMEOUTS } from '../../app/config/secrets.ts';

// AWS is the edge of the world: a stand-in client answering GetSecretValue.
function client(answer: () => unknown): SecretsManagerClient {
  return { send: async () => answer() } as unknown as SecretsManagerClient;
}

it('gives up on an endpoint that accepts and never answers, within its deadline', async () => {
  // The real SDK client against a loopback endpoint that says nothing.
  const sockets = new Set<Socket>();
  const silent = createServer((s) => void sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const sdk = new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: SECRETS_HTTP_TIMEOUTS,
  });
  const started = performance.now();
  try {
    const err = await readDeploymentSecrets(sdk, 'cf/app', { deadlineMs: 1_500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretError);
    expect((err as Error).message).toMatch(/could not read secret "cf\/app"/);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(sockets.size).toBeGreaterThan(0); // it did reach the endpoint
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    sdk.destroy();
  }
});

const complete = {
  PGHOST: 'db',
  PGPORT: 5432,
  PGUSER: 'app',
  PGPASSWORD: 'hunter2-secret',
  SESSION_SECRET: 's'.repeat(40),
  REDIS_URL: 'rediss://c:6379',
  engine: 'postgres',
};

describe('readDeploymentSecrets', () => {
  it('returns the six keys as strings (PGPORT may be a number) and ignores extras', async () => {
    const s = await readDeploymentSecrets(
      client(() => ({ SecretString: JSON.stringify(complete) })),
      'cf/app',
    );
    expect(s).toEqual({
      PGHOST: 'db',
      PGPORT: '5432',
      PGUSER: 'app',
      PGPASSWORD: 'hunter2-secret',
      SESSION_SECRET: 's'.repeat(40),
      REDIS_URL: 'rediss://c:6379',
    });
  });

  it('names missing keys, never values', async () => {
    const { PGPASSWORD, REDIS_URL, ...partial } = complete;
    const err = await readDeploymentSecrets(
      client(() => ({ SecretString: JSON.stringify(partial) })),
      'cf/app',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretError);
    expect((err as Error).message).toMatch(/PGPASSWORD, REDIS_URL/);
    expect((err as Error).message).not.toContain(partial.SESSION_SECRET);
  });

  it('explains a secret that is not JSON, empty, or unreadable', async () => {
    await expect(
      readDeploymentSecrets(
        client(() => ({ SecretString: 'hunter2' })),
        'x',
      ),
    ).rejects.toThrow(/not a JSON object/);
    await expect(
      readDeploymentSecrets(
        client(() => ({})),
        'x',
      ),
    ).rejects.toThrow(/no SecretString/);
    const notFound = Object.assign(new Error('Secrets Manager can’t find the specified secret.'), { name: 'ResourceNotFoundException' });
    await expect(
      readDeploymentSecrets(
        client(() => {
          throw notFound;
        }),
        'missing',
      ),
    ).rejects.toThrow(/could not read secret "missing" \(ResourceNotFoundException\)/);
  });
});
