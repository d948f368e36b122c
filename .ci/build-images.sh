#!/usr/bin/env bash
# Builds the FlowMesh images (docker/Dockerfile, targets server and node) with the podman started by podman-up.sh,
# where no image can be pulled: the SDK and runtime bases are made here from the Debian root that podman-up.sh imports
# (PODMAN_DEBIAN_IMAGE=1) and this machine's .NET, with the same layout as Microsoft's (/usr/share/dotnet). The SDK
# base also gets this machine's CA bundle, so the restore inside the build trusts what the host trusts.
# Prints the two image names. Needs: PODMAN_STATE, and the repository root as the working directory.
set -euo pipefail
STATE="${PODMAN_STATE:-/tmp/ci-podman}"
export CONTAINERS_CONF="$STATE/containers.conf" CONTAINERS_REGISTRIES_CONF="$STATE/registries.conf"
PODMAN=(podman --root "$STATE/storage" --runroot "$STATE/run")
DOTNET="$(dirname "$(readlink -f "$(command -v dotnet)")")"
CTX="$(mktemp -d)"
trap 'rm -rf "$CTX"' EXIT
base() {  # base NAME PARTS...: Debian + the given parts of this machine's .NET
  local name="$1"; shift
  "${PODMAN[@]}" image exists "$name" && return 0
  rm -rf "$CTX/dotnet"; mkdir -p "$CTX/dotnet"
  for part in "$@"; do cp -al "$DOTNET/$part" "$CTX/dotnet/" 2>/dev/null || cp -a "$DOTNET/$part" "$CTX/dotnet/"; done
  cp /etc/ssl/certs/ca-certificates.crt "$CTX/ca-certificates.crt"
  cat >"$CTX/Containerfile" <<'CF'
FROM localhost/ci-debian-dotnet:bookworm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY dotnet /usr/share/dotnet
RUN ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CF
  "${PODMAN[@]}" build -q --network host -t "$name" -f "$CTX/Containerfile" "$CTX" >/dev/null
}
base localhost/ci-dotnet-sdk:10 dotnet host shared sdk packs sdk-manifests templates
base localhost/ci-dotnet-runtime:10 dotnet host shared
REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
for target in server node; do
  "${PODMAN[@]}" build -q --format docker --network host -f docker/Dockerfile --target "$target" \
    --build-arg SDK_IMAGE=localhost/ci-dotnet-sdk:10 --build-arg RUNTIME_IMAGE=localhost/ci-dotnet-runtime:10 \
    --build-arg REVISION="$REVISION" -t "localhost/flowmesh-$target:ci" . >/dev/null
  echo "localhost/flowmesh-$target:ci"
done
