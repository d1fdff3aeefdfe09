import type { SpawnSyncReturns } from 'node:child_process';

export function pod(args: string[], opts?: { timeout?: number }): SpawnSyncReturns<string>;
export function buildImage(tag: string): { baseImageMs: number; buildMs: number };
export function freePort(): Promise<number>;
