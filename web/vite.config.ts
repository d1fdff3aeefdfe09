import { defineConfig } from 'vite';

// The web app: Preact through esbuild's JSX transform (no plugin needed).
// VITE_API_BASE_URL sets the API origin at build time: empty (same origin)
// by default, https://api.contactfolio.com for production.
export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: { proxy: { '/v1': 'http://localhost:3000', '/health': 'http://localhost:3000' } },
});
