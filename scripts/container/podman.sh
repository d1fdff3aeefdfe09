# Sourced by the container scripts: podman as these machines need it.
# - runc, not crun: crun 1.8 refuses hybrid cgroups ("cgroups in hybrid mode
#   not supported"), which these hosts have.
# - default rlimits at or below the host's: root here has no CAP_SYS_RESOURCE,
#   and podman's defaults fail with "setrlimit RLIMIT_NOFILE".
# - storage under one folder given as --root/--runroot flags (pointing
#   storage.conf elsewhere made every podman call hang 20 s).
# CONTAINER_STORAGE chooses that folder; it defaults to a cache kept between
# runs, so the stand-in base image is made once per machine.

CONTAINER_STORAGE="${CONTAINER_STORAGE:-${XDG_CACHE_HOME:-$HOME/.cache}/contactfolio/podman}"
mkdir -p "$CONTAINER_STORAGE"
nofile=$(ulimit -n)
nproc=$(ulimit -u)
[ "$nofile" = unlimited ] || [ "$nofile" -gt 20000 ] && nofile=20000
[ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
cat >"$CONTAINER_STORAGE/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$CONTAINER_STORAGE/containers.conf"

pod() {
  podman --root "$CONTAINER_STORAGE/root" --runroot "$CONTAINER_STORAGE/run" --cgroup-manager cgroupfs --events-backend file "$@"
}
