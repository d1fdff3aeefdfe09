import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/acknowledge.ts';
import { AppFunction } from '../constructs/node-function.ts';

/** Names the LocalStack init hook (localstack/init/ready.d) creates. */
export const LOCALSTACK_SECRET_ID = 'contactfolio/app';
export const LOCALSTACK_WEB_BUCKET = 'contactfolio-web';

/**
 * The Lambda variant as LocalStack's free tier can run it (`cdklocal deploy`
 * with -c localstack=true): no VPC, RDS or ElastiCache there, so the function
 * reads the secret the init hook made, which points at the compose file's
 * PostgreSQL and Redis; API Gateway REST API in front.
 */
export class LocalStackStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { webOrigin: string }) {
    super(scope, id, props);
    const api = new AppFunction(this, 'Api', {
      entry: 'lambda',
      memorySize: 1024,
      environment: {
        NODE_ENV: 'production',
        SECRETS_ID: LOCALSTACK_SECRET_ID,
        CORS_ORIGIN: props.webOrigin,
        PGDATABASE: 'postgres',
        PGSSLMODE: 'disable', // the compose PostgreSQL has no TLS
        MIGRATE_ON_BOOT: 'true',
        COOKIE_SECURE: 'false', // LocalStack serves plain HTTP
      },
    });
    const rest = new apigateway.LambdaRestApi(this, 'RestApi', {
      handler: api.fn,
      proxy: true,
      deployOptions: { stageName: 'local' },
      binaryMediaTypes: ['multipart/form-data'],
    });
    new CfnOutput(this, 'ApiUrl', { value: rest.url });

    acknowledge(this, [
      { id: 'AwsSolutions-APIG1', reason: 'Local emulation only: no access logs in LocalStack.' },
      { id: 'AwsSolutions-APIG2', reason: 'Local emulation only; the app validates every request itself.' },
      { id: 'AwsSolutions-APIG3', reason: 'Local emulation only: no WAF in LocalStack.' },
      { id: 'AwsSolutions-APIG4', reason: 'The app authenticates with its own session cookie.' },
      { id: 'AwsSolutions-APIG6', reason: 'Local emulation only: no execution logs in LocalStack.' },
      { id: 'AwsSolutions-COG4', reason: 'The app authenticates with its own session cookie, not Cognito.' },
      {
        id: 'AwsSolutions-IAM4',
        reason: 'Local emulation only: the basic execution role and API Gateway push-to-CloudWatch role.',
        findings: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        ],
      },
    ]);
  }
}
