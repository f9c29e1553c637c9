# Builds the smoke check's images on the machine, since no image registry answers here: a Debian
# base from Debian's packages, Kafka from the local stack's Maven jars, SecantusDB as the store,
# Caddy from Debian's package, and the services from the repository's Dockerfile (through
# compose). Sourced, not run; needs DOCKER_HOST (engine.sh), REPO, CACHE and BUILD set by run.sh.

BASE_IMAGE=organising-smoke/debian-python:bookworm
KAFKA_IMAGE=organising-smoke/kafka:4.2.0
STORE_IMAGE=organising-smoke/secantusdb:local
EDGE_IMAGE=organising-smoke/caddy:bookworm

# The base: Debian bookworm (minbase) with Python 3.11 and its venv module, the stand-in for
# python:3.11-slim-bookworm. The tree is debootstrapped once and cached as a tarball in CACHE.
build_base() {
  local tarball=$CACHE/debian-bookworm-python3.11.tar
  if [ ! -s "$tarball" ]; then
    local root
    root=$(mktemp -d "$BUILD/debootstrap.XXXXXX") || return 1
    # Packages go in after debootstrap, through apt in the tree: given to --include, the venv
    # module's packages fail to configure.
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$BUILD/debootstrap.log" 2>&1 \
      || { tail -20 "$BUILD/debootstrap.log" >&2; return 1; }
    cp /etc/resolv.conf "$root/etc/resolv.conf" || return 1
    printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' >"$root/etc/apt/sources.list" || return 1
    chroot "$root" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11-venv ca-certificates passwd >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*' \
      >>"$BUILD/debootstrap.log" 2>&1 || { tail -20 "$BUILD/debootstrap.log" >&2; return 1; }
    : >"$root/etc/resolv.conf"
    tar -C "$root" --numeric-owner -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball" || return 1
    rm -rf "$root"
  fi
  if ! docker image inspect "$BASE_IMAGE-debootstrap" >/dev/null 2>&1; then
    docker import --change 'CMD ["/bin/bash"]' "$tarball" "$BASE_IMAGE-debootstrap" >/dev/null || return 1
  fi
  # HTTPS from this machine is seen through its own certificate authority, which the host trusts
  # and Debian's bundle does not: pip in the builds needs the host's bundle. Added on top of the
  # cached tree, not in it, so that a changed bundle is picked up (the layer is rebuilt then).
  local context=$BUILD/base
  rm -rf "$context" && mkdir -p "$context" && cp /etc/ssl/certs/ca-certificates.crt "$context/" || return 1
  printf 'FROM %s\nCOPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n' "$BASE_IMAGE-debootstrap" >"$context/Dockerfile"
  docker build -t "$BASE_IMAGE" "$context" >"$BUILD/base-build.log" 2>&1 || { tail -20 "$BUILD/base-build.log" >&2; return 1; }
  docker run --rm --network host "$BASE_IMAGE" python3 --version
}

# Kafka: the jars of infra/compose-smoke/kafka/pom.xml (the local stack's, plus kafka-tools for
# the healthcheck), resolved by Maven on the host and copied into the build folder.
build_kafka() {
  local context=$BUILD/kafka
  rm -rf "$context" && mkdir -p "$context" || return 1
  mvn -q -B -Dstyle.color=never -f "$REPO/infra/compose-smoke/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$context/libs" \
    || return 1
  cp "$REPO"/infra/compose-smoke/kafka/{Dockerfile,run.sh,kafka-broker-api-versions.sh,kafka-configs.sh,kafka-acls.sh,log4j2.properties} "$context/" || return 1
  docker build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$KAFKA_IMAGE" "$context" >"$BUILD/kafka-build.log" 2>&1 \
    || { tail -30 "$BUILD/kafka-build.log" >&2; return 1; }
  docker run --rm --network host "$KAFKA_IMAGE" bash -c 'ls /opt/kafka/libs | grep "^kafka_2.13-"'
}

# SecantusDB at the version the dev lock pins.
build_store() {
  local version
  version=$(sed -n 's/^secantusdb==\([^ ]*\) .*/\1/p' "$REPO/requirements/dev.lock")
  [ -n "$version" ] || { echo "no secantusdb pin in requirements/dev.lock" >&2; return 1; }
  docker build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg SECANTUSDB_VERSION="$version" \
    -t "$STORE_IMAGE" "$REPO/infra/compose-smoke/store" >"$BUILD/store-build.log" 2>&1 \
    || { tail -30 "$BUILD/store-build.log" >&2; return 1; }
  echo "secantusdb $version"
}

# Caddy, the TLS edge, from Debian's package.
build_edge() {
  docker build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$EDGE_IMAGE" "$REPO/infra/compose-smoke/edge" >"$BUILD/edge-build.log" 2>&1 \
    || { tail -30 "$BUILD/edge-build.log" >&2; return 1; }
  docker run --rm --network host "$EDGE_IMAGE" caddy version
}
