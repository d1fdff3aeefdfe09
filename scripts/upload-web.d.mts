// Types for scripts/upload-web.mjs (a plain Node script, also imported by tests).
import type { S3Client } from '@aws-sdk/client-s3';

export function contentType(file: string): string;
export function cacheControl(key: string): string;
export function uploadDirectory(options: { dir: string; bucket: string; client?: S3Client }): Promise<string[]>;
/** HTML last (index.html the very last), everything else first. */
export function uploadOrder(keys: string[]): string[];
