import type { Stack } from 'aws-cdk-lib';
import { Annotations, AspectPriority, Aspects, CfnResource, RemovalPolicy, type IAspect } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type IConstruct } from 'constructs';

/*
 * The rule for what a stack leaves behind:
 * - logs have a retention (LOG_RETENTION) and are deleted with the stack
 *   (RemovalPolicy.DESTROY): they are for operating the running system;
 * - data is kept: Aurora is snapshotted on delete (retained with deletion
 *   protection), buckets are retained (CloudFormation cannot delete a bucket
 *   that holds objects; the log buckets' lifecycle rules expire theirs).
 * Every log group goes through logGroup() below; the aspect gives each
 * function CDK creates on its own (custom resource providers: the migration
 * trigger, the default security group rule remover, log retention) one too,
 * since a group Lambda creates on first invocation keeps everything for ever
 * and outlives the stack.
 */
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** A log group that follows the rule. */
export function logGroup(scope: Construct, id: string, props: Omit<logs.LogGroupProps, 'retention' | 'removalPolicy'> = {}): logs.LogGroup {
  return new logs.LogGroup(scope, id, { ...props, retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
}

/** The properties a raw CfnResource (a custom resource provider's function) was given. */
function rawProperties(node: CfnResource): Record<string, unknown> {
  return ((node as unknown as { _cfnProperties?: Record<string, unknown> })._cfnProperties ?? {}) as Record<string, unknown>;
}

class FunctionLogs implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup) {
      // Every group, however made, must follow the rule: fail the synth otherwise.
      const policy = node.cfnOptions.deletionPolicy;
      if (node.retentionInDays === undefined || policy !== 'Delete') {
        Annotations.of(node).addError(
          `Log group without a retention or not deleted with the stack (${node.retentionInDays ?? 'no retention'}, ${policy ?? 'Retain'}): use logGroup() from constructs/logs.ts`,
        );
      }
      return;
    }
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    const hasLogGroup =
      node instanceof lambda.CfnFunction ? node.loggingConfig !== undefined : rawProperties(node).LoggingConfig !== undefined;
    if (hasLogGroup) return;
    // Lambda lets any function log to a named group (LoggingConfig.LogGroup);
    // these providers' roles carry AWSLambdaBasicExecutionRole, which may
    // write to any group.
    // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html
    const scope = node.node.scope as Construct;
    const id = `${node.node.id}Logs`;
    // An aspect may visit a node more than once: reuse the group made the first time.
    const group = (scope.node.tryFindChild(id) as logs.LogGroup | undefined) ?? logGroup(scope, id);
    node.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
  }
}

/** Applies the rule to every function and log group of `stack`. */
export function applyLogRule(stack: Stack): void {
  Aspects.of(stack).add(new FunctionLogs(), { priority: AspectPriority.MUTATING });
}
