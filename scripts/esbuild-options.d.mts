// Types for scripts/esbuild-options.mjs (build settings, also imported by tests).
import type { BuildOptions, Plugin } from 'esbuild';

export declare const common: BuildOptions;
export declare const lambdaFunction: BuildOptions & { plugins: Plugin[] };
