// The API image built from the Dockerfile with podman, as these machines run
// it (podman.sh): for the container test and the capacity benchmark.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** podman with the storage and settings of podman.sh; never throws, returns the spawn result. */
export function pod(args, { timeout = 120_000 } = {}) {
  return spawnSync('bash', ['-c', '. scripts/container/podman.sh && pod "$@"', 'pod', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Builds the Dockerfile as `tag` (the base image made first if missing); returns the milliseconds each step took. */
export function buildImage(tag) {
  let started = performance.now();
  execFileSync('bash', ['scripts/container/base-image.sh'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
  const baseImageMs = performance.now() - started;
  // HTTPS leaving a build is intercepted on these machines: the host's CA
  // bundle and an npmrc naming it are mounted into the RUN steps only.
  const scratch = mkdtempSync(path.join(tmpdir(), 'cf-container-'));
  try {
    const npmrc = path.join(scratch, 'npmrc');
    writeFileSync(npmrc, 'cafile=/run/host-ca.crt\naudit=false\nfund=false\nupdate-notifier=false\n');
    const ca = process.env.CONTAINER_BUILD_CA ?? '/etc/ssl/certs/ca-certificates.crt';
    started = performance.now();
    // --format docker: the OCI format has no HEALTHCHECK.
    const build = pod(
      ['build', '--pull=never', '--format', 'docker', '-v', `${ca}:/run/host-ca.crt:ro`, '-v', `${npmrc}:/root/.npmrc:ro`, '-t', tag, '.'],
      { timeout: 600_000 },
    );
    if (build.status !== 0) throw new Error(`podman build failed:\n${build.stdout}\n${build.stderr}`);
    return { baseImageMs, buildMs: performance.now() - started };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A port free on 127.0.0.1 now, for a container on the host's network. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
