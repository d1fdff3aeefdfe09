import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { AURORA_MAX_CONNECTIONS_FLOOR, Data } from '../constructs/data.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import { Network } from '../constructs/network.ts';
import { PROJECT_ROOT } from '../constructs/node-function.ts';
import { Service } from '../constructs/service.ts';

export interface BackendStackProps extends StackProps {
  config: DeploymentConfig;
  /** Defaults to the project's Dockerfile, built by `cdk deploy`. */
  image?: ecs.ContainerImage;
}

/** Network, data and the API service: the design's "backend stack". */
export class BackendStack extends Stack {
  readonly network: Network;
  readonly data: Data;
  readonly service: Service;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: BackendStackProps) {
    super(scope, id, props);
    const { config } = props;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.hostedZoneId,
      zoneName: config.hostedZoneName,
    });
    this.network = new Network(this, 'Network');
    this.data = new Data(this, 'Data', {
      vpc: this.network.vpc,
      deletionProtection: config.deletionProtection,
      backupRetentionDays: config.backupRetentionDays,
    });
    this.service = new Service(this, 'Api', {
      vpc: this.network.vpc,
      data: this.data,
      image:
        props.image ??
        ecs.ContainerImage.fromAsset(PROJECT_ROOT, {
          file: 'Dockerfile',
          // The task runs X86_64 (runtimePlatform); without this a deploy from an
          // ARM machine would push an arm64 image the task cannot start.
          platform: Platform.LINUX_AMD64,
        }),
      zone,
      apiDomainName: config.apiDomainName,
      webOrigin: `https://${config.domainName}`,
      maxUsers: config.maxUsers,
      maxContactsPerUser: config.maxContactsPerUser,
      desiredTasks: config.desiredTasks,
      maxTasks: config.maxTasks,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      loadBalancer: this.service.loadBalancer,
      targetGroup: this.service.targetGroup,
      service: this.service.service,
      cluster: this.data.cluster,
      auroraMaxCapacity: this.data.auroraMaxCapacity,
      auroraMaxConnections: AURORA_MAX_CONNECTIONS_FLOOR,
      redisNodeId: this.data.redisNodeId,
      alarmEmail: config.alarmEmail,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'Every alarm notifies this topic (ALARM and OK); subscribe more endpoints to it',
    });
    new CfnOutput(this, 'ApiUrl', { value: `https://${config.apiDomainName}` });
    new CfnOutput(this, 'LoadBalancerDns', { value: this.service.loadBalancer.loadBalancerDnsName });
    new CfnOutput(this, 'AppSecretArn', { value: this.data.appSecret.secretArn });
  }
}
