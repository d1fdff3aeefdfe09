// Bundles the entry points with esbuild.
//   node scripts/build.mjs          dist/{server.mjs, migrate.mjs, chunk-*.mjs, query_compiler_bg.wasm} (the container)
//   node scripts/build.mjs lambda   dist/lambda/{index.mjs, migrate.mjs, chunk-*.mjs, query_compiler_bg.wasm, migrations/}, and dist/lambda.zip [--out DIR]
// dist/*.mjs sit one level below the root like handlers/, so ../prisma/migrations
// resolves the same from source and bundle; the Lambda zip carries its own copy.
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { common, lambdaFunction } from './esbuild-options.mjs';

// Prisma's generated client imports its query compiler as a 4.6 MB base64
// JS module. Ship the WebAssembly as a file beside the bundle instead: no
// multi-megabyte string literal to parse at cold start or to keep in the heap.
const WASM_FILE = 'query_compiler_bg.wasm';
// The build the generated client imports (schema.prisma's compilerBuild).
let compilerModule;
const prismaWasmAsFile = {
  name: 'prisma-wasm-as-file',
  setup(b) {
    b.onResolve({ filter: /query_compiler_(fast|small)_bg\.postgresql\.wasm-base64\.mjs$/ }, (args) => {
      compilerModule = args.path;
      return { path: 'wasm', namespace: 'prisma-wasm' };
    });
    b.onLoad({ filter: /.*/, namespace: 'prisma-wasm' }, () => ({
      loader: 'js',
      // The generated client decodes base64; reading the file as base64 keeps its code unchanged.
      contents: `import { readFileSync } from 'node:fs';
export const wasm = readFileSync(new URL('./${WASM_FILE}', import.meta.url)).toString('base64');`,
    }));
  },
};

async function writeCompilerWasm(dir) {
  if (!compilerModule) throw new Error("the bundle did not import Prisma's query compiler");
  const { wasm } = await import(compilerModule);
  writeFileSync(path.join(dir, WASM_FILE), Buffer.from(wasm, 'base64'));
}

// The container bundle keeps identifiers (stack traces stay readable without
// source maps at run time, which cost tens of MB of heap) but drops comments
// and whitespace: V8 keeps a script's whole source in the heap, and comments
// with non-ASCII characters made it a two-byte string (19.5 MB for 10 MB).
// Code reached only through import() (the AWS SDK, the file formats, the
// OpenAPI document) goes into chunks that load when first used.
async function server() {
  // Chunks sit beside the entry points, so every file finds the .wasm as ./
  // (Nothing is deleted first: a server started from dist/ by a concurrent
  // test may still load a chunk; chunk names are content hashes.)
  await build({
    ...common,
    entryPoints: { server: 'handlers/server.ts', migrate: 'handlers/migrate.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    splitting: true,
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [prismaWasmAsFile],
  });
  await writeCompilerWasm('dist');
}

/** Every file below `dir`, as paths relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => statSync(path.join(dir, f)).isFile());
}

async function lambda(outRoot) {
  const out = path.join(outRoot, 'lambda');
  rmSync(out, { recursive: true, force: true });
  const result = await build({
    ...lambdaFunction,
    // The app's function and the deploy-time migration function share one artifact.
    entryPoints: { index: 'handlers/lambda.ts', migrate: 'handlers/lambda-migrate.ts' },
    outdir: out,
    // Code behind import() (file formats, the OpenAPI document) stays out of the cold start.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    metafile: true,
    plugins: [...lambdaFunction.plugins, prismaWasmAsFile],
  });
  await writeCompilerWasm(out);
  cpSync('prisma/migrations', path.join(out, 'migrations'), { recursive: true });
  writeFileSync(path.join(out, 'meta.json'), JSON.stringify(result.metafile));
  // Fixed timestamps: the same sources give the same zip (and the same hash in CDK).
  const mtime = new Date('2020-01-01T00:00:00Z');
  const entries = Object.fromEntries(
    filesUnder(out)
      .filter((f) => f !== 'meta.json')
      .sort()
      .map((f) => [f.split(path.sep).join('/'), [readFileSync(path.join(out, f)), { mtime }]]),
  );
  writeFileSync(path.join(outRoot, 'lambda.zip'), zipSync(entries, { level: 9 }));
}

const target = process.argv[2] ?? 'server';
// --out DIR: build the Lambda into DIR/lambda and DIR/lambda.zip instead of dist/
// (tests that build concurrently each use their own).
const outIndex = process.argv.indexOf('--out');
if (target === 'server') await server();
else if (target === 'lambda') await lambda(outIndex > 0 ? process.argv[outIndex + 1] : 'dist');
else throw new Error(`unknown build target ${target} (server or lambda)`);
