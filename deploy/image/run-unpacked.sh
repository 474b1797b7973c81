#!/usr/bin/env bash
# Runs the image in target/keyport-image.tar without a container engine, the way a runtime would:
# its layers unpacked in order into one root, its Entrypoint run there as its User, with its Env
# (then the VAR=value arguments on top), in new mount and PID namespaces with /proc, /dev and a
# fresh /tmp. The network is the host's, so give ports nothing else uses. Stops on SIGTERM/Ctrl-C.
# How the image was proven to start (docs/production.md) and what ImageRunIT runs.
#
# Usage: deploy/image/run-unpacked.sh [--read-only] <image.tar> <root dir> [VAR=value…]
#   <root dir> is made (it must not exist) and left behind for a look; needs root and python3.
#   --read-only: as deploy/kubernetes runs it (readOnlyRootFilesystem, emptyDir volumes): the root
#   read-only, /tmp and each of the image's Volumes an empty tmpfs owned by the image's user.
set -euo pipefail

READ_ONLY=0
if [[ ${1:-} == --read-only ]]; then
  READ_ONLY=1
  shift
fi
IMAGE=${1:?usage: run-unpacked.sh <image.tar> <root dir> [VAR=value…]}
ROOTFS=${2:?usage: run-unpacked.sh <image.tar> <root dir> [VAR=value…]}
shift 2
[[ $(id -u) == 0 ]] || { echo "run-unpacked.sh: needs root (unshare, chroot)" >&2; exit 1; }
[[ ! -e $ROOTFS ]] || { echo "run-unpacked.sh: $ROOTFS exists; give a new folder" >&2; exit 1; }

mkdir -p "$ROOTFS/.image"
tar -xf "$IMAGE" -C "$ROOTFS/.image" manifest.json
# The config's and the layers' paths in the archive, from docker save's manifest.json.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }
CONFIG=$(json "$ROOTFS/.image/manifest.json" 'print(d[0]["Config"])')
mapfile -t LAYERS < <(json "$ROOTFS/.image/manifest.json" 'print("\n".join(d[0]["Layers"]))')
tar -xf "$IMAGE" -C "$ROOTFS/.image" "$CONFIG"
CFG=$ROOTFS/.image/$CONFIG
for layer in "${LAYERS[@]}"; do
  tar -xf "$IMAGE" -O "$layer" | tar -x -p --numeric-owner -C "$ROOTFS"
done
rm -rf "$ROOTFS/.image.cfg" && mv "$CFG" "$ROOTFS/.image.cfg" && rm -rf "$ROOTFS/.image"
CFG=$ROOTFS/.image.cfg

USER_SPEC=$(json "$CFG" 'print(d["config"]["User"])')
WORKDIR=$(json "$CFG" 'print(d["config"].get("WorkingDir") or "/")')
mapfile -t ENV < <(json "$CFG" 'print("\n".join(d["config"]["Env"]))')
VOLUMES=$(json "$CFG" 'print(" ".join(sorted((d["config"].get("Volumes") or {}).keys())))')
mapfile -t ENTRY < <(json "$CFG" 'print("\n".join(d["config"]["Entrypoint"] + (d["config"].get("Cmd") or [])))')
ENV+=("$@")
echo "[run-unpacked] $ROOTFS as $USER_SPEC$( ((READ_ONLY)) && echo ", read-only, tmpfs on /tmp $VOLUMES"): ${ENTRY[*]}" >&2

# The entrypoint is PID 1 of the new namespace; SIGTERM and Ctrl-C are passed on to it (unshare's
# --kill-child would not reach it: the change of user in chroot clears the parent-death signal).
unshare --mount --pid --fork -- bash -c '
  set -e
  root=$1 user=$2 workdir=$3 read_only=$4 volumes=$5 nenv=$6
  shift 6
  env=("${@:1:nenv}")
  shift "$nenv"
  mount --make-rprivate /
  mount --bind "$root" "$root"
  if [[ $read_only == 1 ]]; then
    for volume in $volumes; do
      mount -t tmpfs -o "mode=0750,uid=${user%%:*},gid=${user##*:}" tmpfs "$root$volume"
    done
  fi
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  for file in /etc/hosts /etc/resolv.conf; do
    touch "$root$file" && mount --bind "$file" "$root$file"
  done
  if [[ $read_only == 1 ]]; then
    mount -o remount,bind,ro "$root"
  fi
  exec chroot --userspec="$user" "$root" /usr/bin/env -i -C "$workdir" "${env[@]}" "$@"
' run-unpacked "$ROOTFS" "$USER_SPEC" "$WORKDIR" "$READ_ONLY" "$VOLUMES" "${#ENV[@]}" "${ENV[@]}" "${ENTRY[@]}" &
UNSHARE=$!
stop() {
  local children
  read -r -a children <"/proc/$UNSHARE/task/$UNSHARE/children" || true
  ((${#children[@]})) && kill -TERM "${children[@]}" 2>/dev/null || true
}
trap stop TERM INT
while kill -0 "$UNSHARE" 2>/dev/null; do
  wait "$UNSHARE" && status=0 || status=$?
done
exit "${status:-0}"
