// Types for scripts/redis-commands.mjs (a build plugin, also imported by tests).
import type { Plugin } from 'esbuild';

/** The commands the app's Redis users call, by node-redis module name. */
export declare const APP_REDIS_COMMANDS: string[];
/** node-redis's command table module reduced to `keep` and the client's own lookups. */
export declare function commandTableSource(indexFile: string, keep: readonly string[]): string;
/** esbuild plugin: node-redis's command table, reduced to `keep` (default: the app's). */
export declare function redisCommandSubset(keep?: readonly string[]): Plugin;
/** Every method name node-redis gives a command, mapped to the command's module name. */
export declare function commandModulesByMethod(): Map<string, string>;
