// Runs `prisma generate` on machines that cannot download Prisma's
// schema-engine binary. `generate` never executes that engine, but the CLI
// insists the file exists, so point it at any existing file (node itself)
// unless the caller already named a real engine.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
