import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AWS_ENDPOINT, stsClient } from './aws.ts';

/** Fails fast, naming the endpoint, when nothing AWS-like answers there. */
export default async function setup(): Promise<void> {
  try {
    const me = await stsClient().send(new GetCallerIdentityCommand({}));
    process.stdout.write(`integration: AWS endpoint ${AWS_ENDPOINT} (account ${me.Account})\n`);
  } catch (err) {
    throw new Error(
      `The integration suite needs an AWS endpoint at ${AWS_ENDPOINT} (set AWS_ENDPOINT_URL): start LocalStack (localstack/run.sh up) or the test fixture (npm run aws:fixture). ${(err as Error).message}`,
    );
  }
}
