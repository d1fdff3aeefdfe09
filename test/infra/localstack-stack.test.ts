import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { buildLocalStackApp } from '../../infra/app.ts';
import { LOCALSTACK_SECRET_ID } from '../../infra/stacks/localstack-stack.ts';
import { cdkJsonContext } from './support/synth.ts';

it('the LocalStack stack: the Lambda entry behind a REST API, reading the init hook secret, no VPC; cdk-nag clean', () => {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'cf-cdk-')), context: cdkJsonContext() });
  const stack = buildLocalStackApp(app);
  expect(() => app.synth()).not.toThrow();
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'index.handler',
    VpcConfig: Match.absent(),
    Environment: {
      Variables: Match.objectLike({
        SECRETS_ID: LOCALSTACK_SECRET_ID,
        COOKIE_SECURE: 'false',
        PGSSLMODE: 'disable',
        NODE_ENV: 'production',
      }),
    },
  });
  t.resourceCountIs('AWS::ApiGateway::RestApi', 1);
  t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'ANY', Integration: Match.objectLike({ Type: 'AWS_PROXY' }) });
  t.resourceCountIs('AWS::EC2::VPC', 0);
}, 60_000);
