#!/usr/bin/env bash
# Puts the end-to-end tools on PATH: the Pulumi CLI, its Node.js language host, the Kubernetes
# provider, a Kubernetes control plane (kube-apiserver, kube-controller-manager, kube-scheduler,
# etcd) and kwok/kwokctl. (kwokctl needs no kubectl to create a cluster, and the harness talks to the
# API server over HTTPS itself, so kubectl is not built.)
#
# A tool already on PATH at the pinned version (or, for the control plane, a usable one) is used as
# it is. Any other is built once from pinned Go module versions into a cache outside the repository,
# keyed by version: ${TIERPLAN_TOOLS_CACHE:-$HOME/.cache/tierplan-e2e}/<group>-<versions>/bin, and
# reused by every later run. Only Go and the Go module proxy are needed.
#
#   e2e/tools.sh            build what is missing; print the directories to put first on PATH
#   e2e/tools.sh --versions same, then print every tool's version (to stderr)
#   e2e/tools.sh --only kube|pulumi   build one group only
#
# Progress goes to stderr; stdout is only the PATH directories, one a line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CACHE="${TIERPLAN_TOOLS_CACHE:-$HOME/.cache/tierplan-e2e}"
mkdir -p "$CACHE"

# ---- pinned versions ---------------------------------------------------------------------------
# Kubernetes and kwok: kwok v0.8.0 is built against k8s.io/* v0.36.1, so the control plane is v1.36.1
# and etcd the version Kubernetes v1.36.1 itself requires.
KUBE_VERSION=v1.36.1
ETCD_VERSION=v3.6.8
KWOK_VERSION=v0.8.0
# Pulumi: the CLI at the version of @pulumi/pulumi in package.json (3.248.x runs on Node 20).
PULUMI_VERSION="v$(node -p "require('$ROOT/package.json').dependencies['@pulumi/pulumi']")"
# The Node.js language host: Pulumi's (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
# is not served by the Go module proxy at any version, and the sdk/v3 releases that still carried it
# (v3.61-v3.68) cannot run policy packs for today's CLI. So without one on PATH, the harness builds its
# own minimal host, e2e/langhost/main.go, against the CLI's sdk/v3: it starts @pulumi/pulumi's own run
# scripts as Pulumi's host does. Keyed by a hash of its source.
LANGHOST_HASH="$(sha256sum "$HERE/langhost/main.go" | cut -c1-12)"
# The Kubernetes provider: the proxy serves github.com/pulumi/pulumi-kubernetes/provider/v4 at this
# commit only (no tagged v4.x.y). @pulumi/kubernetes in package.json asks for the provider version below;
# the engine uses the provider found on PATH whatever its version.
PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
PROVIDER_SDK_VERSION=v4.24.0   # what that commit's go.mod requires of its sibling sdk/v4
K8S_SDK_VERSION="$(node -p "require('$ROOT/package.json').dependencies['@pulumi/kubernetes']")"

export GOFLAGS="-mod=mod -trimpath"
export GOTOOLCHAIN=local
export GOMODCACHE="${TIERPLAN_GOMODCACHE:-$CACHE/gomod}"
export GOCACHE="${TIERPLAN_GOCACHE:-$CACHE/gocache}"
export CGO_ENABLED=0

log() { printf '[tools] %s\n' "$*" >&2; }
now() { date +%s; }

ONLY=""
SHOW_VERSIONS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --versions) SHOW_VERSIONS=1 ;;
    --only) ONLY="$2"; shift ;;
    *) echo "e2e/tools.sh: unknown argument '$1' (use --versions or --only kube|pulumi)" >&2; exit 2 ;;
  esac
  shift
done

# Go is needed only to build; a warm cache needs none. /usr/local/go is where Go's own installer puts it.
need_go() {
  command -v go >/dev/null && return 0
  [ -x /usr/local/go/bin/go ] && { export PATH="/usr/local/go/bin:$PATH"; return 0; }
  echo "e2e/tools.sh: Go 1.26 or later is needed to build the tools (or put them on PATH yourself)" >&2
  exit 2
}

# The bare version number a tool prints, or empty.
tool_version() {
  local t="$1" out=""
  # timeout: a host that does not know -version would start serving instead
  case "$t" in
    pulumi) out=$(timeout 20 "$2" version 2>/dev/null || true) ;;
    pulumi-language-nodejs) out=$(timeout 5 "$2" -version 2>/dev/null </dev/null || true) ;;
    pulumi-resource-kubernetes) out=$(timeout 5 "$2" -version 2>/dev/null </dev/null || true) ;;
    kube-apiserver|kube-controller-manager|kube-scheduler) out=$(timeout 20 "$2" --version 2>/dev/null || true) ;;
    etcd) out=$(timeout 20 "$2" --version 2>/dev/null | head -1 || true) ;;
    kwok|kwokctl) out=$(timeout 20 "$2" --version 2>/dev/null | head -1 || true) ;;
  esac
  printf '%s' "$out" | grep -oE 'v?[0-9]+\.[0-9]+\.[0-9]+[-+.0-9A-Za-z]*' | head -1
}

# gomod_replaces <go.mod file>: its replace directives whose target is a module version, not a path.
gomod_replaces() {
  awk '
    /^replace[ \t]*\(/ { inblock=1; next }
    inblock && /^\)/ { inblock=0; next }
    { line=$0 }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, "", line); one=1 } 
    (inblock || one) && line ~ /=>/ {
      split(line, parts, "=>"); target=parts[2]; gsub(/^[ \t]+|[ \t]+$/, "", target);
      if (target !~ /^\.\.?\// && target !~ /^\//) print line
    }
    { one=0 }
  ' "$1"
}

modfile() { # modfile module@version -> path of its go.mod in the module cache
  go mod download -json "$1" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p'
}
moddir() {
  go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'
}

# ---- the Kubernetes group: one wrapper module, so shared packages compile once --------------------
KUBE_TOOLS=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok kwokctl)
KUBE_DIR="$CACHE/kube-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"

kube_pkg() {
  case "$1" in
    kube-apiserver|kube-controller-manager|kube-scheduler) echo "k8s.io/kubernetes/cmd/$1" ;;
    etcd) echo "go.etcd.io/etcd/server/v3" ;;
    kwok|kwokctl) echo "sigs.k8s.io/kwok/cmd/$1" ;;
  esac
}

kube_module() {
  local mod="$KUBE_DIR/src"
  [ -f "$mod/.ready" ] && return 0
  rm -rf "$mod"; mkdir -p "$mod"
  local kmod emod minor="${KUBE_VERSION#v1.}"
  kmod=$(modfile "k8s.io/kubernetes@$KUBE_VERSION")
  emod=$(modfile "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  {
    echo "// Generated by tierplan e2e/tools.sh: builds the control plane from pinned module versions."
    echo "module tierplan.local/e2e/kube"
    echo
    echo "go 1.26.0"
    echo
    echo "require ("
    echo "	k8s.io/kubernetes $KUBE_VERSION"
    echo "	sigs.k8s.io/kwok $KWOK_VERSION"
    # etcd's server and the siblings its go.mod points at with local paths, at the same version
    for m in server/v3 api/v3 client/pkg/v3 client/v3 pkg/v3; do echo "	go.etcd.io/etcd/$m $ETCD_VERSION"; done
    echo ")"
    echo
    echo "replace ("
    # Kubernetes' staging modules are required at v0.0.0 and replaced by local paths: use the release
    sed -n 's#^[ \t]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$kmod" | sort -u |
      while read -r m; do echo "	$m => $m v0.$minor"; done
    # and every replace of theirs that names a module version
    gomod_replaces "$kmod" | grep -v '^[ \t]*k8s\.io/[a-z0-9-]* =>' | sed 's/^[ \t]*/	/' || true
    gomod_replaces "$emod" | sed 's/^[ \t]*/	/' | grep -v FORBIDDEN || true
    echo ")"
  } > "$mod/go.mod"
  {
    echo "//go:build tools"
    echo
    echo "// Package tools names the commands this module builds, so go mod tidy keeps their dependencies."
    echo "package tools"
    echo
    echo "import ("
    for t in "${KUBE_TOOLS[@]}"; do echo "	_ \"$(kube_pkg "$t")\""; done
    echo ")"
  } > "$mod/tools.go"
  (cd "$mod" && go mod tidy -e >&2 2>"$mod/tidy.log" || { cat "$mod/tidy.log" >&2; exit 1; })
  touch "$mod/.ready"
}

build_kube() { # build_kube tool...
  local want=("$@") t pkgs=() start
  [ ${#want[@]} -gt 0 ] || return 0
  need_go
  start=$(now)
  log "building ${want[*]} (Kubernetes $KUBE_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION) into $KUBE_DIR/bin"
  kube_module
  mkdir -p "$KUBE_DIR/bin"
  local kldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
  kldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
  kldflags+=" -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"
  kldflags+=" -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBE_VERSION"
  kldflags+=" -X sigs.k8s.io/kwok/pkg/consts.BinaryPrefix=file://$KUBE_DIR/bin"
  for t in "${want[@]}"; do
    (cd "$KUBE_DIR/src" && go build -p 2 -ldflags "$kldflags" -o "$KUBE_DIR/bin/$t.tmp" "$(kube_pkg "$t")") >&2
    mv "$KUBE_DIR/bin/$t.tmp" "$KUBE_DIR/bin/$t"
    log "  built $t ($(( $(now) - start ))s so far)"
  done
  log "Kubernetes group built in $(( $(now) - start ))s"
}

# ---- the Pulumi group: the CLI and the Kubernetes provider in one wrapper module ------------------
PULUMI_TOOLS=(pulumi pulumi-resource-kubernetes pulumi-language-nodejs)
bin_of() { # where a built tool lives
  case "$1" in pulumi-language-nodejs) echo "$LANGHOST_DIR/bin/$1" ;; pulumi) echo "$PULUMI_DIR/bin/$1" ;; pulumi-resource-kubernetes) echo "$PROVIDER_DIR/bin/$1" ;; *) echo "$KUBE_DIR/bin/$1" ;; esac
}
PULUMI_DIR="$CACHE/pulumi-$PULUMI_VERSION"
PROVIDER_DIR="$CACHE/pulumi-kubernetes-$PROVIDER_MODULE_VERSION"
LANGHOST_DIR="$CACHE/langhost-${PULUMI_VERSION}-$LANGHOST_HASH"
PROVIDER_VERSION="${PROVIDER_MODULE_VERSION#v}"

# The CLI (and the language host) at the CLI's version of pkg/v3 and sdk/v3.
pulumi_module() {
  local mod="$PULUMI_DIR/src"
  [ -f "$mod/.ready" ] && return 0
  rm -rf "$mod"; mkdir -p "$mod"
  local pmod
  pmod=$(modfile "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION")
  {
    echo "// Generated by tierplan e2e/tools.sh: builds the Pulumi CLI."
    echo "module tierplan.local/e2e/pulumi"
    echo
    echo "go 1.26.0"
    echo
    echo "require ("
    echo "	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION"
    echo "	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION"
    echo ")"
    echo
    echo "replace ("
    gomod_replaces "$pmod" | sed 's/^[ \t]*/	/' || true
    echo ")"
  } > "$mod/go.mod"
  cat > "$mod/tools.go" <<'GO'
//go:build tools

// Package tools names the commands this module builds, so go mod tidy keeps their dependencies.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
  (cd "$mod" && go mod tidy -e 2>"$mod/tidy.log" >&2 || { cat "$mod/tidy.log" >&2; exit 1; })
  touch "$mod/.ready"
}

# The Kubernetes provider with pkg/v3 and sdk/v3 at the version its go.mod requires: its code does
# not compile against the CLI's newer pkg/v3 (codegen/schema changed), and a provider is a separate
# process that speaks the plugin protocol, so it needs no common version with the CLI.
provider_module() {
  local mod="$PROVIDER_DIR/src"
  [ -f "$mod/.ready" ] && return 0
  rm -rf "$mod"; mkdir -p "$mod/cmd/pulumi-resource-kubernetes"
  local kmod kdir pv pmod
  kmod=$(modfile "github.com/pulumi/pulumi-kubernetes/provider/v4@$PROVIDER_MODULE_VERSION")
  kdir=$(moddir "github.com/pulumi/pulumi-kubernetes/provider/v4@$PROVIDER_MODULE_VERSION")
  pv=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$kmod")
  pmod=$(modfile "github.com/pulumi/pulumi/pkg/v3@$pv")
  {
    echo "// Generated by tierplan e2e/tools.sh: builds the Pulumi Kubernetes provider."
    echo "module tierplan.local/e2e/provider"
    echo
    echo "go 1.26.0"
    echo
    echo "require ("
    echo "	github.com/pulumi/pulumi-kubernetes/provider/v4 $PROVIDER_MODULE_VERSION"
    echo "	github.com/pulumi/pulumi-kubernetes/sdk/v4 $PROVIDER_SDK_VERSION"
    echo "	github.com/pulumi/pulumi/pkg/v3 $pv"
    echo "	github.com/pulumi/pulumi/sdk/v3 $pv"
    echo ")"
    echo
    echo "replace ("
    gomod_replaces "$pmod" | sed 's/^[ \t]*/	/' || true
    gomod_replaces "$kmod" | sed 's/^[ \t]*/	/' || true
    echo ")"
  } > "$mod/go.mod"
  # The provider's own main embeds schema-embed.json, which its build generates and the module zip
  # lacks: this main serves the schema the module ships, stamped with the version as its generator does.
  cp "$kdir/cmd/pulumi-resource-kubernetes/schema.json" "$mod/cmd/pulumi-resource-kubernetes/schema.json"
  cp "$kdir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$mod/cmd/pulumi-resource-kubernetes/terraform-mapping.json"
  chmod u+w "$mod/cmd/pulumi-resource-kubernetes/"*.json
  cat > "$mod/cmd/pulumi-resource-kubernetes/main.go" <<'GO'
// Generated by tierplan e2e/tools.sh.
package main

import (
	_ "embed"
	"encoding/json"
	"log"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

//go:embed schema.json
var rawSchema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	var spec schema.PackageSpec
	if err := json.Unmarshal(rawSchema, &spec); err != nil {
		log.Fatalf("cannot read the provider schema: %v", err)
	}
	spec.Version = version.Version
	versioned, err := json.Marshal(spec)
	if err != nil {
		log.Fatalf("cannot write the provider schema: %v", err)
	}
	provider.Serve("kubernetes", version.Version, versioned, terraformMapping)
}
GO
  (cd "$mod" && go mod tidy -e 2>"$mod/tidy.log" >&2 || { cat "$mod/tidy.log" >&2; exit 1; })
  touch "$mod/.ready"
}

build_pulumi() {
  local want=("$@") t start
  [ ${#want[@]} -gt 0 ] || return 0
  need_go
  start=$(now)
  log "building ${want[*]} (Pulumi $PULUMI_VERSION, provider $PROVIDER_MODULE_VERSION) into $PULUMI_DIR/bin"
  mkdir -p "$PULUMI_DIR/bin" "$LANGHOST_DIR/bin" "$PROVIDER_DIR/bin"
  for t in "${want[@]}"; do
    case "$t" in
      pulumi)
        pulumi_module
        (cd "$PULUMI_DIR/src" && go build -p 2 -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
          -o "$PULUMI_DIR/bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2 ;;
      pulumi-resource-kubernetes)
        provider_module
        (cd "$PROVIDER_DIR/src" && go build -p 2 -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PROVIDER_VERSION" \
          -o "$PROVIDER_DIR/bin/$t.tmp" ./cmd/pulumi-resource-kubernetes) >&2
        mv "$PROVIDER_DIR/bin/$t.tmp" "$PROVIDER_DIR/bin/$t"; log "  built $t ($(( $(now) - start ))s so far)"; continue ;;
      pulumi-language-nodejs)
        pulumi_module
        mkdir -p "$PULUMI_DIR/src/cmd/pulumi-language-nodejs"
        cp "$HERE/langhost/main.go" "$PULUMI_DIR/src/cmd/pulumi-language-nodejs/main.go"
        (cd "$PULUMI_DIR/src" && go build -p 2 -ldflags "-s -w -X main.Version=${PULUMI_VERSION#v}-tierplan.$LANGHOST_HASH" \
          -o "$LANGHOST_DIR/bin/$t.tmp" ./cmd/pulumi-language-nodejs) >&2
        mv "$LANGHOST_DIR/bin/$t.tmp" "$LANGHOST_DIR/bin/$t"; log "  built $t ($(( $(now) - start ))s so far)"; continue ;;
    esac
    mv "$PULUMI_DIR/bin/$t.tmp" "$PULUMI_DIR/bin/$t"
    log "  built $t ($(( $(now) - start ))s so far)"
  done
  log "Pulumi group built in $(( $(now) - start ))s"
}

# ---- which tools to use: on PATH at a usable version, else built -----------------------------------
# A usable version: the Pulumi CLI 3.248 or later; any Node.js language host; a Kubernetes provider
# v4; a control plane of one Kubernetes minor from 1.30 on; etcd 3.5 or later; kwok and kwokctl v0.7
# or later, of one version.
version_ge() { [ "$(printf '%s\n%s\n' "${2#v}" "${1#v}" | sort -V | head -1)" = "${2#v}" ]; }
usable() { # usable tool version
  local t="$1" v="${2#v}"
  [ -n "$v" ] || return 1
  case "$t" in
    pulumi) version_ge "$v" 3.248.0 ;;
    pulumi-language-nodejs) [ "$v" = unknown ] || version_ge "$v" 3.0.0 ;;
    pulumi-resource-kubernetes) [ "$v" = unknown ] || [[ "$v" == 4.* ]] ;;
    kube-apiserver|kube-controller-manager|kube-scheduler) version_ge "$v" 1.30.0 && [[ "$v" != *dispatcher* ]] ;;
    etcd) version_ge "$v" 3.5.0 ;;
    kwok|kwokctl) version_ge "$v" 0.7.0 ;;
  esac
}

pinned_version() {
  case "$1" in
    pulumi) echo "$PULUMI_VERSION" ;;
    pulumi-language-nodejs) echo "${PULUMI_VERSION#v}-tierplan.$LANGHOST_HASH" ;;
    pulumi-resource-kubernetes) echo "$PROVIDER_MODULE_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kwok|kwokctl) echo "$KWOK_VERSION" ;;
    *) echo "$KUBE_VERSION" ;;
  esac
}
declare -A CHOSEN=()   # tool -> path
declare -A SOURCE=()   # tool -> "PATH" | "built"
pick_from_path() {
  local t="$1" p v
  p=$(command -v "$t" 2>/dev/null) || return 1
  case "$p" in "$CACHE"/*) return 1 ;; esac
  v=$(tool_version "$t" "$p")
  # Plugins need not answer -version (Pulumi's language host does not): one on PATH is used as it is.
  case "$t" in pulumi-language-nodejs|pulumi-resource-kubernetes) [ -n "$v" ] || v="unknown" ;; esac
  usable "$t" "$v" || { log "$t on PATH ($p, version '${v:-unknown}') is not usable here: building one"; return 1; }
  CHOSEN[$t]="$p"; SOURCE[$t]="PATH"
}

START=$(now)
BUILT_SOMETHING=0
GROUPS_WANTED=(kube pulumi)
[ -n "$ONLY" ] && GROUPS_WANTED=("$ONLY")
DIRS=()
for group in "${GROUPS_WANTED[@]}"; do
  case "$group" in
    kube) tools=("${KUBE_TOOLS[@]}") ;;
    pulumi) tools=("${PULUMI_TOOLS[@]}") ;;
    *) echo "e2e/tools.sh: unknown group '$group' (kube or pulumi)" >&2; exit 2 ;;
  esac
  missing=()
  # The control plane comes as one set (kwokctl starts it); the rest tool by tool.
  if [ "$group" = kube ]; then
    all=1
    for t in "${tools[@]}"; do pick_from_path "$t" || all=0; done
    kv=0
    if [ "$all" = 1 ]; then
      kv=$(for t in kube-apiserver kube-controller-manager kube-scheduler; do tool_version "$t" "${CHOSEN[$t]}" | cut -d. -f1-2; done | sort -u | wc -l)
    fi
    if [ "$all" != 1 ] || [ "$kv" != 1 ]; then
      for t in "${tools[@]}"; do unset "CHOSEN[$t]" "SOURCE[$t]"; done
    fi
  else
    for t in "${tools[@]}"; do pick_from_path "$t" || true; done
  fi
  for t in "${tools[@]}"; do
    [ -n "${CHOSEN[$t]:-}" ] && continue
    if [ ! -x "$(bin_of "$t")" ]; then missing+=("$t"); fi
    CHOSEN[$t]="$(bin_of "$t")"; SOURCE[$t]="built"
  done
  if [ ${#missing[@]} -gt 0 ]; then
    BUILT_SOMETHING=1
    if [ "$group" = kube ]; then build_kube "${missing[@]}"; else build_pulumi "${missing[@]}"; fi
  fi
  for t in "${tools[@]}"; do
    d=$(dirname "${CHOSEN[$t]}")
    case " ${DIRS[*]:-} " in *" $d "*) ;; *) DIRS+=("$d") ;; esac
  done
done
log "tools ready in $(( $(now) - START ))s (cache $CACHE)"
# The build cache is gigabytes (about 8 GiB for all of them) and only speeds up a rebuild after a pin
# changes: drop it once the binaries exist, unless TIERPLAN_KEEP_GOCACHE=1. The module cache stays.
if [ "$BUILT_SOMETHING" = 1 ] && [ "${TIERPLAN_KEEP_GOCACHE:-0}" != 1 ] && [ -z "${TIERPLAN_GOCACHE:-}" ]; then
  go clean -cache 2>/dev/null || rm -rf "$GOCACHE"
  log "dropped the Go build cache $GOCACHE (TIERPLAN_KEEP_GOCACHE=1 keeps it)"
fi
if [ "$SHOW_VERSIONS" = 1 ]; then
  for t in "${!CHOSEN[@]}"; do
    if [ "${SOURCE[$t]}" = built ]; then v=$(pinned_version "$t"); else v=$(tool_version "$t" "${CHOSEN[$t]}"); fi
    printf '[tools] version %s %s %s %s\n' "$t" "${v:-unknown}" "${SOURCE[$t]}" "${CHOSEN[$t]}"
  done | sort >&2
fi
printf '%s\n' "${DIRS[@]}"
