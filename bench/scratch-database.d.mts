export declare const ADMIN_URL: string;
export declare function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }>;
