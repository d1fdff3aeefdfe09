import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface Acknowledged {
  /** cdk-nag rule id, e.g. AwsSolutions-S1 */
  id: string;
  /** Why this finding is accepted: every acknowledgement carries one. */
  reason: string;
  /** Limit to specific findings (IAM5 "Resource::*", IAM4 "Policy::..."). */
  findings?: string[];
}

/** Acknowledges cdk-nag findings on `scopes` and everything below them. */
export function acknowledge(scopes: IConstruct | IConstruct[], rules: Acknowledged[]): void {
  for (const scope of [scopes].flat()) {
    for (const rule of rules) {
      const ids = rule.findings ? rule.findings.map((f) => `${rule.id}[${f}]`) : [rule.id];
      for (const id of ids) Validations.of(scope).acknowledge({ id, reason: rule.reason });
    }
  }
}

/** A Lambda function in a VPC: the two AWS-managed policies every such function has. */
export const VPC_FUNCTION_MANAGED_POLICIES: Acknowledged = {
  id: 'AwsSolutions-IAM4',
  reason: 'AWSLambdaVPCAccessExecutionRole and AWSLambdaBasicExecutionRole are the minimal managed policies for a VPC function.',
  findings: [
    'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
  ],
};
