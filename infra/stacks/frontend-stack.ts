import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { Frontend } from '../constructs/frontend.ts';

export interface FrontendStackProps extends StackProps {
  config: DeploymentConfig;
}

/** S3 + CloudFront for the web app. Lives in us-east-1, where CloudFront takes certificates from. */
export class FrontendStack extends Stack {
  readonly frontend: Frontend;

  constructor(scope: Construct, id: string, props: FrontendStackProps) {
    super(scope, id, props);
    const { config } = props;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.hostedZoneId,
      zoneName: config.hostedZoneName,
    });
    this.frontend = new Frontend(this, 'Web', {
      zone,
      domainName: config.domainName,
      apiOrigin: `https://${config.apiDomainName}`,
    });
    new CfnOutput(this, 'SiteUrl', { value: `https://${config.domainName}` });
    // The pipeline uploads the web build here and invalidates the distribution.
    new CfnOutput(this, 'BucketName', {
      value: this.frontend.bucket.bucketName,
      description: 'Upload the web build here: node scripts/upload-web.mjs --bucket <this>',
    });
    new CfnOutput(this, 'DistributionId', {
      value: this.frontend.distribution.distributionId,
      description: 'Invalidate /index.html and / here after an upload',
    });
  }
}
