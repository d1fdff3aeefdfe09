/** How long a deleted contact can be brought back, in ms (Gmail offers 5-30 s; 8 s reads a toast twice). Its own module, so the browser tests can read it without the app. */
export const UNDO_MS = 8_000;
