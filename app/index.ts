export { createApp, type AppDeps, type AppSettings } from './create-app.ts';
