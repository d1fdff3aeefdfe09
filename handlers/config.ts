import { parseConfig, type Config } from '../app/config/schema.ts';
import { loadSecretsManagerSdk, readDeploymentSecrets, SECRETS_HTTP_TIMEOUTS } from '../app/config/secrets.ts';

/*
 * Reading the environment, for every entry point: process.env, with the
 * deployment's secrets from Secrets Manager when SECRETS_ID is set.
 */

/** process.env merged with the Secrets Manager values when SECRETS_ID is set (env wins). */
export async function loadEnv(env: NodeJS.ProcessEnv): Promise<Record<string, string | undefined>> {
  if (!env.SECRETS_ID) return env;
  const { SecretsManagerClient } = await loadSecretsManagerSdk();
  const secrets = await readDeploymentSecrets(new SecretsManagerClient({ requestHandler: SECRETS_HTTP_TIMEOUTS }), env.SECRETS_ID);
  const merged: Record<string, string | undefined> = { ...secrets };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  return merged;
}

/** The parsed configuration of the environment (and secrets). */
export async function loadConfig(env: NodeJS.ProcessEnv): Promise<Config> {
  return parseConfig(await loadEnv(env));
}
