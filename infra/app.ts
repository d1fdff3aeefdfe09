import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig, type DeploymentConfig } from './config.ts';
import { applyLogRule } from './constructs/logs.ts';
import { BackendStack, type BackendStackProps } from './stacks/backend-stack.ts';
import { FrontendStack } from './stacks/frontend-stack.ts';
import { LambdaStack } from './stacks/lambda-stack.ts';
import { LocalStackStack } from './stacks/localstack-stack.ts';

export const STACK_NAMES = {
  backend: 'Contactfolio-Backend',
  frontend: 'Contactfolio-Frontend',
  lambda: 'Contactfolio-Lambda',
  localstack: 'Contactfolio-LocalStack',
} as const;

export interface Stacks {
  backend: BackendStack;
  frontend: FrontendStack;
  lambda?: LambdaStack;
}

/** Builds every stack into `app`; tests call it with their own App and context. */
export function buildApp(app: App, overrides: { image?: BackendStackProps['image']; config?: Partial<DeploymentConfig> } = {}): Stacks {
  const config = { ...readConfig(app), ...overrides.config };
  const env = { account: config.account, region: config.region };
  const backend = new BackendStack(app, STACK_NAMES.backend, {
    env,
    config,
    image: overrides.image,
    description: 'contactfolio: VPC, Aurora, Redis, ECS API',
  });
  // CloudFront only takes certificates from us-east-1.
  const frontend = new FrontendStack(app, STACK_NAMES.frontend, {
    env: { account: config.account, region: 'us-east-1' },
    config,
    description: 'contactfolio: web app on S3 and CloudFront',
  });
  const lambda = config.lambda
    ? new LambdaStack(app, STACK_NAMES.lambda, {
        env,
        config,
        vpc: backend.network.vpc,
        data: backend.data,
        description: 'contactfolio: Lambda variant',
      })
    : undefined;
  for (const stack of [backend, frontend, lambda]) if (stack) applyLogRule(stack);
  // cdk-nag: any unacknowledged AwsSolutions finding stops the synthesis.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { backend, frontend, lambda };
}

/** `-c localstack=true`: only the stack LocalStack's free tier can run. */
export function buildLocalStackApp(app: App): LocalStackStack {
  const stack = new LocalStackStack(app, STACK_NAMES.localstack, {
    env: { account: '000000000000', region: 'us-east-1' },
    // The web app as LocalStack serves the bucket's website.
    webOrigin: 'http://contactfolio-web.s3-website.localhost.localstack.cloud:4566',
    description: 'contactfolio: Lambda variant on LocalStack',
  });
  applyLogRule(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = new App();
  if (app.node.tryGetContext('localstack') === 'true' || app.node.tryGetContext('localstack') === true) buildLocalStackApp(app);
  else buildApp(app);
  app.synth();
}
