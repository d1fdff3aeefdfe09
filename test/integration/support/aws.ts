import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';

/*
 * The AWS side of the integration suite: whatever endpoint AWS_ENDPOINT_URL
 * names (LocalStack by default), with LocalStack's dummy credentials unless
 * real ones are set. The real SDK clients, so it runs unchanged against
 * LocalStack, the test fixture or (with care) AWS itself.
 */
export const AWS_ENDPOINT = process.env.AWS_ENDPOINT_URL ?? 'http://localhost:4566';
export const awsEnv = {
  AWS_ENDPOINT_URL: AWS_ENDPOINT,
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
};
const common = {
  endpoint: AWS_ENDPOINT,
  region: awsEnv.AWS_REGION,
  credentials: { accessKeyId: awsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY },
};
export const secretsClient = () => new SecretsManagerClient(common);
export const s3Client = () => new S3Client({ ...common, forcePathStyle: true });
export const stsClient = () => new STSClient(common);
