import type { MigrationResult } from '../app/db/migrate.ts';
import { migrateConfiguredDatabase } from './migrate-database.ts';

/*
 * The deploy-time migration function: the CDK Trigger invokes it before the
 * ECS service (and the Lambda variant) takes new traffic. Any event works;
 * a failure fails the deployment.
 */
export async function handler(): Promise<MigrationResult> {
  return migrateConfiguredDatabase(process.env);
}
