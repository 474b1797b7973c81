#!/usr/bin/env bash
# Builds Keyport's container image without a Docker engine or any registry: `mvn -Pimage package`
# runs this after the WAR is built and gets target/keyport-image.tar.
#
# The tarball is both a `docker save` archive (manifest.json, for docker/podman load) and an OCI
# image layout (oci-layout, index.json, blobs/sha256/…, for skopeo, crane, containerd), with four
# uncompressed layers, each built here:
#   1. base   a minimal Debian bookworm root (debootstrap --variant=minbase from the mirror this
#             machine's apt uses) and the user keyport (10001:10001); cached, see KEYPORT_IMAGE_CACHE
#   2. java   a Java runtime made from this machine's JDK with jlink, in /opt/java
#   3. libs   Payara Micro and the launcher's libraries (embedded PostgreSQL for the trial default)
#   4. app    keyport.war, the launcher's classes, payara/'s command files, the health probe
#
# Usage: deploy/image/build-image.sh <target dir> <version>
#        deploy/image/build-image.sh --base   (only the cached Debian root, layer 1: .ci/test makes
#                                             it in the background while Maven compiles and tests)
# Environment:
#   KEYPORT_IMAGE_CACHE   where the Debian root is kept between builds (~/.cache/keyport-image)
#   KEYPORT_IMAGE_MIRROR  the Debian mirror (default: the first URIs of /etc/apt/sources.list.d/
#                         debian.sources or the first deb line of /etc/apt/sources.list)
#   SOURCE_DATE_EPOCH     the time stamped on every file and on the image (default: the last
#                         commit's time), so the same files give the same layer (the WAR itself
#                         differs between builds: Maven stamps its entries)
# Needs root (debootstrap, and files owned by the image's user); installs debootstrap if missing.
set -euo pipefail

BASE_ONLY=false
if [[ ${1:-} == --base ]]; then
  BASE_ONLY=true
else
  TARGET=$(cd "${1:?usage: build-image.sh <target dir> <version> | --base}" && pwd)
  VERSION=${2:?usage: build-image.sh <target dir> <version> | --base}
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SUITE=bookworm
APP_UID=10001
CACHE=${KEYPORT_IMAGE_CACHE:-${HOME:-/root}/.cache/keyport-image}
WORK=${TARGET:-}/image
OUT=${TARGET:-}/keyport-image.tar
# The modules Payara Micro, Hazelcast, PostgreSQL's driver, Netty and gRPC use (found by starting
# the image against PostgreSQL; a missing one fails the start with NoClassDefFoundError).
JAVA_MODULES=java.se,jdk.unsupported,jdk.management,jdk.management.agent,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.zipfs,jdk.naming.dns,jdk.charsets,jdk.localedata,jdk.security.auth,jdk.security.jgss,jdk.jfr,jdk.attach,jdk.httpserver,jdk.xml.dom,jdk.net,jdk.jcmd

log() { printf '[image] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root: debootstrap and the image's file owners need it"
if ! $BASE_ONLY; then
  for file in keyport.war payara-micro.jar classes/io/keyport/platform/launcher/Launcher.class; do
    [[ -e $TARGET/$file ]] || die "$TARGET/$file is missing: run mvn -Pimage package, not this script alone"
  done
  [[ -d $TARGET/image-launcher-lib ]] || die "$TARGET/image-launcher-lib is missing (the image profile copies it)"
fi
: "${JAVA_HOME:=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
[[ -x $JAVA_HOME/bin/jlink && -d $JAVA_HOME/jmods ]] ||
  die "no jlink or jmods under $JAVA_HOME: install a full JDK 17 (Debian: openjdk-17-jdk-headless openjdk-17-jmods)"
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
fi
CREATED=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

# Every layer: sorted, numeric owners as they are on disk, one time stamp, no atime/ctime.
pack() { # pack <dir> <tar> <path…>
  local dir=$1 tar=$2
  shift 2
  tar --create --file "$tar" --directory "$dir" --sort=name --numeric-owner --format=pax \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --mtime="@$SOURCE_DATE_EPOCH" "$@"
}

# --- 1. base: Debian root ------------------------------------------------------------------------
mirror() {
  if [[ -n ${KEYPORT_IMAGE_MIRROR:-} ]]; then
    echo "$KEYPORT_IMAGE_MIRROR"
  elif [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources | head -1
  elif [[ -f /etc/apt/sources.list ]]; then
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list | head -1
  fi
}
BASE_TAR=$CACHE/debian-$SUITE-minbase-keyport-v1.tar
# One builder of the root at a time: the background --base of .ci/test and Maven's package phase.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [[ ! -s $BASE_TAR ]]; then
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2 ||
      { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2; }
  fi
  MIRROR=$(mirror)
  [[ -n $MIRROR ]] || die "no Debian mirror found in /etc/apt: set KEYPORT_IMAGE_MIRROR"
  mkdir -p "$CACHE"
  rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  chmod 0755 "$rootfs" # the image's / (mktemp made it 0700)
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap --variant=minbase $SUITE from the apt mirror (once; kept in $BASE_TAR)"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    die "debootstrap failed: see $CACHE/debootstrap.log"
  # An image carries no package lists, caches, docs or logs of the build; dpkg's database stays,
  # so image scanners can tell which Debian packages are inside.
  rm -rf "${rootfs:?}"/var/cache/apt/* "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/var/log/* \
    "${rootfs:?}"/usr/share/doc/* "${rootfs:?}"/usr/share/man/* "${rootfs:?}"/usr/share/info/* \
    "${rootfs:?}"/usr/share/locale/* "${rootfs:?}"/var/cache/debconf/*-old "${rootfs:?}"/etc/machine-id \
    "${rootfs:?}"/dev/* "${rootfs:?}"/proc/* "${rootfs:?}"/sys/* "${rootfs:?}"/run/* "${rootfs:?}"/tmp/*
  : >"$rootfs/etc/machine-id"
  echo "keyport:x:$APP_UID:$APP_UID:Keyport:/var/lib/keyport:/usr/sbin/nologin" >>"$rootfs/etc/passwd"
  echo "keyport:x:$APP_UID:" >>"$rootfs/etc/group"
  echo "keyport:!:19000::::::" >>"$rootfs/etc/shadow"
  echo "keyport:!::" >>"$rootfs/etc/gshadow"
  chmod 1777 "$rootfs/tmp"
  pack "$rootfs" "$BASE_TAR.part" .
  mv "$BASE_TAR.part" "$BASE_TAR"
  rm -rf "$rootfs"
  trap - EXIT
fi
exec 9>&-
if $BASE_ONLY; then
  log "the Debian root is ready: $BASE_TAR"
  exit 0
fi

rm -rf "$WORK"
mkdir -p "$WORK/layers" "$WORK/oci/blobs/sha256"

# --- 2. java: jlink ------------------------------------------------------------------------------
log "jlink: $JAVA_MODULES"
mkdir -p "$WORK/java/opt"
"$JAVA_HOME/bin/jlink" --add-modules "$JAVA_MODULES" --strip-debug --no-header-files \
  --no-man-pages --compress=2 --output "$WORK/java/opt/java"
# Debian's JDK links its CA certificates and policy files to /etc; the image needs the files.
for file in cacerts blocked.certs default.policy public_suffix_list.dat; do
  if [[ -e $JAVA_HOME/lib/security/$file ]]; then
    rm -f "$WORK/java/opt/java/lib/security/$file"
    cp -L "$JAVA_HOME/lib/security/$file" "$WORK/java/opt/java/lib/security/$file"
  fi
done
[[ -s $WORK/java/opt/java/lib/security/cacerts ]] || die "no CA certificates for the runtime"
chown -R 0:0 "$WORK/java"

# --- 3. libs and 4. app --------------------------------------------------------------------------
KP=$WORK/libs/opt/keyport
mkdir -p "$KP/launcher/lib"
cp "$TARGET/payara-micro.jar" "$KP/"
cp "$TARGET"/image-launcher-lib/*.jar "$KP/launcher/lib/"
chown -R 0:0 "$WORK/libs"
chmod -R u=rwX,go=rX "$WORK/libs"

KP=$WORK/app/opt/keyport
mkdir -p "$KP/launcher/classes/io/keyport/platform" "$KP/payara" "$KP/bin" "$WORK/app/var/lib/keyport"
cp "$TARGET/keyport.war" "$KP/"
cp -r "$TARGET/classes/io/keyport/platform/launcher" "$KP/launcher/classes/io/keyport/platform/"
cp "$ROOT"/payara/*.asadmin "$KP/payara/"
cp "$ROOT/deploy/image/healthcheck" "$KP/bin/healthcheck"
chown -R 0:0 "$WORK/app"
chmod -R u=rwX,go=rX "$WORK/app"
chmod 0755 "$KP/bin/healthcheck"
chown "$APP_UID:$APP_UID" "$WORK/app/var/lib/keyport"
chmod 0750 "$WORK/app/var/lib/keyport"

cp "$BASE_TAR" "$WORK/layers/base.tar"
pack "$WORK/java" "$WORK/layers/java.tar" opt
pack "$WORK/libs" "$WORK/layers/libs.tar" opt
pack "$WORK/app" "$WORK/layers/app.tar" opt var

# --- the image -----------------------------------------------------------------------------------
blob() { # blob <file>: moves it into blobs/sha256/, prints its digest (hex)
  local digest
  digest=$(sha256sum "$1" | cut -d' ' -f1)
  mv "$1" "$WORK/oci/blobs/sha256/$digest"
  echo "$digest"
}
size() { stat -c %s "$WORK/oci/blobs/sha256/$1"; }

LAYERS=()
for name in base java libs app; do
  LAYERS+=("$(blob "$WORK/layers/$name.tar")")
done
DIFF_IDS=$(printf '"sha256:%s",' "${LAYERS[@]}")
DIFF_IDS=${DIFF_IDS%,}

ENV_JSON="" PORTS_JSON=""
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  [[ $line =~ ^[A-Z][A-Z0-9_]*=[^\"\\]*$ ]] || die "deploy/image/environment: not VAR=value without quotes: $line"
  ENV_JSON+="${ENV_JSON:+,}\"$line\""
  if [[ $line =~ ^KEYPORT_[A-Z_]*_PORT=([0-9]+)$ ]]; then
    PORTS_JSON+="${PORTS_JSON:+,}\"${BASH_REMATCH[1]}/tcp\":{}"
  fi
done <"$ROOT/deploy/image/environment"

# What the image runs: the launcher (a small JVM; 256 MB is what unpacking the embedded
# PostgreSQL of the trial default needs, xz being memory-hungry) starts Payara Micro (the big one) with the WAR.
# KEYPORT_JAVA_OPTS sizes Payara Micro's heap from the container's memory limit.
cat >"$WORK/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"$CREATED",
 "config":{
  "User":"$APP_UID:$APP_UID",
  "Env":[$ENV_JSON],
  "Entrypoint":["/opt/java/bin/java","-Xmx256m","-XX:+UseSerialGC","-XX:TieredStopAtLevel=1",
                "-cp","/opt/keyport/launcher/classes:/opt/keyport/launcher/lib/*",
                "io.keyport.platform.launcher.Launcher",
                "/opt/keyport/payara-micro.jar","/opt/keyport/keyport.war","/opt/keyport/payara"],
  "WorkingDir":"/var/lib/keyport",
  "ExposedPorts":{$PORTS_JSON},
  "Volumes":{"/var/lib/keyport":{}},
  "StopSignal":"SIGTERM",
  "Healthcheck":{"Test":["CMD","/opt/keyport/bin/healthcheck"],"Interval":10000000000,
                 "Timeout":5000000000,"StartPeriod":180000000000,"Retries":3},
  "Labels":{"org.opencontainers.image.title":"Keyport",
            "org.opencontainers.image.version":"$VERSION",
            "org.opencontainers.image.description":"Developer portal for API keys, with a gateway auth check",
            "io.keyport.probe.liveness":"/health/live",
            "io.keyport.probe.readiness":"/health/ready",
            "io.keyport.metrics":"/metrics"}},
 "rootfs":{"type":"layers","diff_ids":[$DIFF_IDS]},
 "history":[{"created":"$CREATED","created_by":"debootstrap --variant=minbase $SUITE; user keyport $APP_UID"},
            {"created":"$CREATED","created_by":"jlink --add-modules $JAVA_MODULES"},
            {"created":"$CREATED","created_by":"Payara Micro and the launcher's libraries"},
            {"created":"$CREATED","created_by":"keyport.war, the launcher, payara/ command files"}]}
EOF
CONFIG=$(blob "$WORK/config.json")

{
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
  printf '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},' \
    "$CONFIG" "$(size "$CONFIG")"
  printf '"layers":['
  sep=""
  for layer in "${LAYERS[@]}"; do
    printf '%s{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}' \
      "$sep" "$layer" "$(size "$layer")"
    sep=,
  done
  printf ']}'
} >"$WORK/manifest.oci.json"
MANIFEST=$(blob "$WORK/manifest.oci.json")

TAG="keyport:$VERSION"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"docker.io/library/%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$MANIFEST" "$(size "$MANIFEST")" "$TAG" "$VERSION" >"$WORK/oci/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$WORK/oci/oci-layout"
LAYER_PATHS=$(printf '"blobs/sha256/%s",' "${LAYERS[@]}")
printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":[%s]}]' \
  "$CONFIG" "$TAG" "${LAYER_PATHS%,}" >"$WORK/oci/manifest.json"

pack "$WORK/oci" "$OUT.part" --owner=0 --group=0 oci-layout index.json manifest.json blobs
mv "$OUT.part" "$OUT"
rm -rf "$WORK/java" "$WORK/libs" "$WORK/app" "$WORK/layers"
log "$OUT: $TAG, $(($(stat -c %s "$OUT") / 1024 / 1024)) MiB, config sha256:$CONFIG"
