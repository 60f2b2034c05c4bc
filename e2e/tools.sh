#!/usr/bin/env bash
# Puts the end-to-end tools on PATH: the Pulumi CLI, its Node.js language host, the Kubernetes
# provider, a Kubernetes control plane (kube-apiserver, kube-controller-manager, kube-scheduler,
# etcd, kubectl) and kwok/kwokctl.
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
# The Node.js language host: its own Go module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served
# by the Go module proxy at any version, so it is built from the last sdk/v3 release that still carried
# it inside sdk/v3 (v3.61.0), behind a small launcher that hands it the project's runtime options (see
# write_language_launcher).
LANGHOST_SDK_VERSION=v3.61.0
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

command -v go >/dev/null || { echo "e2e/tools.sh: Go is needed to build the tools (go 1.26 or later)" >&2; exit 2; }

# The bare version number a tool prints, or empty.
tool_version() {
  local t="$1" out=""
  case "$t" in
    pulumi) out=$("$2" version 2>/dev/null || true) ;;
    pulumi-language-nodejs|pulumi-resource-kubernetes) out=$("$2" -version 2>/dev/null || "$2" --version 2>/dev/null || true) ;;
    kube-apiserver|kube-controller-manager|kube-scheduler) out=$("$2" --version 2>/dev/null || true) ;;
    kubectl) out=$("$2" version --client 2>/dev/null | head -1 || true) ;;
    etcd) out=$("$2" --version 2>/dev/null | head -1 || true) ;;
    kwok|kwokctl) out=$("$2" --version 2>/dev/null | head -1 || true) ;;
  esac
  printf '%s' "$out" | grep -oE 'v?[0-9]+\.[0-9]+\.[0-9]+[-+.0-9A-Za-z]*' | head -1
}

# Is $1 on PATH at a usable version? Prints its directory.
usable_on_path() {
  local t="$1" want="$2" p v
  p=$(command -v "$t" 2>/dev/null) || return 1
  case "$p" in "$CACHE"/*) return 1 ;; esac
  v=$(tool_version "$t" "$p")
  [ -n "$v" ] || return 1
  case "$want" in
    any) ;;
    minor:*) # same major.minor
      local w="${want#minor:}"; [ "${v#v}" != "${v#v}" ] ; [[ "${v#v}" == "${w#v}".* || "${v#v}" == "${w#v}" ]] || return 1 ;;
    *) [ "${v#v}" = "${want#v}" ] || return 1 ;;
  esac
  dirname "$p"
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
KUBE_TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl)
KUBE_DIR="$CACHE/kube-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"

kube_pkg() {
  case "$1" in
    kube-apiserver|kube-controller-manager|kube-scheduler|kubectl) echo "k8s.io/kubernetes/cmd/$1" ;;
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
PULUMI_DIR="$CACHE/pulumi-$PULUMI_VERSION-k8s-${PROVIDER_MODULE_VERSION}-langhost-$LANGHOST_SDK_VERSION"
PROVIDER_VERSION="${PROVIDER_MODULE_VERSION#v}"

pulumi_module() {
  local mod="$PULUMI_DIR/src"
  [ -f "$mod/.ready" ] && return 0
  rm -rf "$mod"; mkdir -p "$mod/cmd/pulumi-resource-kubernetes"
  local pmod kmod kdir
  pmod=$(modfile "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION")
  kmod=$(modfile "github.com/pulumi/pulumi-kubernetes/provider/v4@$PROVIDER_MODULE_VERSION")
  kdir=$(moddir "github.com/pulumi/pulumi-kubernetes/provider/v4@$PROVIDER_MODULE_VERSION")
  {
    echo "// Generated by tierplan e2e/tools.sh: builds the Pulumi CLI and the Kubernetes provider."
    echo "module tierplan.local/e2e/pulumi"
    echo
    echo "go 1.26.0"
    echo
    echo "require ("
    echo "	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION"
    echo "	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION"
    echo "	github.com/pulumi/pulumi-kubernetes/provider/v4 $PROVIDER_MODULE_VERSION"
    echo "	github.com/pulumi/pulumi-kubernetes/sdk/v4 $PROVIDER_SDK_VERSION"
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
  cat > "$mod/tools.go" <<'GO'
//go:build tools

// Package tools names the commands this module builds, so go mod tidy keeps their dependencies.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
  (cd "$mod" && go mod tidy -e 2>"$mod/tidy.log" >&2 || { cat "$mod/tidy.log" >&2; exit 1; })
  touch "$mod/.ready"
}

langhost_module() {
  local mod="$PULUMI_DIR/langhost"
  [ -f "$mod/.ready" ] && return 0
  rm -rf "$mod"; mkdir -p "$mod"
  local smod
  smod=$(modfile "github.com/pulumi/pulumi/sdk/v3@$LANGHOST_SDK_VERSION")
  {
    echo "// Generated by tierplan e2e/tools.sh: builds the Node.js language host."
    echo "module tierplan.local/e2e/langhost"
    echo
    echo "go 1.26.0"
    echo
    echo "require github.com/pulumi/pulumi/sdk/v3 $LANGHOST_SDK_VERSION"
    echo
    echo "replace ("
    gomod_replaces "$smod" | sed 's/^[ \t]*/	/' || true
    echo ")"
  } > "$mod/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"\n' > "$mod/tools.go"
  (cd "$mod" && go mod tidy -e 2>"$mod/tidy.log" >&2 || { cat "$mod/tidy.log" >&2; exit 1; })
  touch "$mod/.ready"
}

# The v3.61 language host takes the runtime options (typescript, nodeargs) as command-line flags, as the
# CLI of its day passed them; today's CLI sends them inside the Run request instead. This launcher reads
# them from the Pulumi.yaml of the directory the CLI starts the host in and passes them on as flags.
write_language_launcher() {
  local dest="$1" real="$2"
  cat > "$dest.tmp" <<SH
#!/usr/bin/env bash
# Generated by tierplan e2e/tools.sh: starts the Node.js language host built from sdk/v3 $LANGHOST_SDK_VERSION
# with the project's runtime options from Pulumi.yaml.
set -euo pipefail
args=()
if [ -f Pulumi.yaml ]; then
  while IFS= read -r line; do args+=("\$line"); done < <(node -e '
    const fs = require("fs"); let opts = {};
    try {
      const y = fs.readFileSync("Pulumi.yaml", "utf8");
      const m = y.match(/^runtime:\s*\n((?:[ \t]+.*\n?)*)/m);
      if (m) for (const l of m[1].split("\n")) {
        const kv = l.match(/^\s+(typescript|nodeargs|tsconfig):\s*(.*?)\s*\$/);
        if (kv) opts[kv[1]] = kv[2].replace(/^["\x27](.*)["\x27]\$/, "\$1");
      }
    } catch {}
    for (const [k, v] of Object.entries(opts)) console.log("-" + k + "=" + v);
  ')
fi
case " \$* " in *" -version "*|*" --version "*) echo "$LANGHOST_SDK_VERSION"; exit 0 ;; esac
exec "$real" "\${args[@]}" "\$@"
SH
  chmod +x "$dest.tmp"; mv "$dest.tmp" "$dest"
}

build_pulumi() {
  local want=("$@") t start
  [ ${#want[@]} -gt 0 ] || return 0
  start=$(now)
  log "building ${want[*]} (Pulumi $PULUMI_VERSION, provider $PROVIDER_MODULE_VERSION, language host sdk $LANGHOST_SDK_VERSION) into $PULUMI_DIR/bin"
  mkdir -p "$PULUMI_DIR/bin"
  for t in "${want[@]}"; do
    case "$t" in
      pulumi)
        pulumi_module
        (cd "$PULUMI_DIR/src" && go build -p 2 -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
          -o "$PULUMI_DIR/bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2 ;;
      pulumi-resource-kubernetes)
        pulumi_module
        (cd "$PULUMI_DIR/src" && go build -p 2 -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PROVIDER_VERSION" \
          -o "$PULUMI_DIR/bin/$t.tmp" ./cmd/pulumi-resource-kubernetes) >&2 ;;
      pulumi-language-nodejs)
        langhost_module
        mkdir -p "$PULUMI_DIR/libexec"
        (cd "$PULUMI_DIR/langhost" && go build -p 2 -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_SDK_VERSION" \
          -o "$PULUMI_DIR/libexec/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs) >&2
        write_language_launcher "$PULUMI_DIR/bin/$t.tmp" "$PULUMI_DIR/libexec/pulumi-language-nodejs" ;;
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
    pulumi-language-nodejs) version_ge "$v" 3.0.0 ;;
    pulumi-resource-kubernetes) [[ "$v" == 4.* ]] ;;
    kube-apiserver|kube-controller-manager|kube-scheduler|kubectl) version_ge "$v" 1.30.0 && [[ "$v" != *dispatcher* ]] ;;
    etcd) version_ge "$v" 3.5.0 ;;
    kwok|kwokctl) version_ge "$v" 0.7.0 ;;
  esac
}

declare -A CHOSEN=()   # tool -> path
declare -A SOURCE=()   # tool -> "PATH" | "built"
pick_from_path() {
  local t="$1" p v
  p=$(command -v "$t" 2>/dev/null) || return 1
  case "$p" in "$CACHE"/*) return 1 ;; esac
  v=$(tool_version "$t" "$p")
  usable "$t" "$v" || { log "$t on PATH ($p, version '${v:-unknown}') is not usable here: building one"; return 1; }
  CHOSEN[$t]="$p"; SOURCE[$t]="PATH"
}

START=$(now)
GROUPS_WANTED=(kube pulumi)
[ -n "$ONLY" ] && GROUPS_WANTED=("$ONLY")
DIRS=()
for group in "${GROUPS_WANTED[@]}"; do
  case "$group" in
    kube) tools=("${KUBE_TOOLS[@]}"); dir="$KUBE_DIR" ;;
    pulumi) tools=("${PULUMI_TOOLS[@]}"); dir="$PULUMI_DIR" ;;
    *) echo "e2e/tools.sh: unknown group '$group' (kube or pulumi)" >&2; exit 2 ;;
  esac
  missing=()
  # The control plane comes as one set (kwokctl starts it); the rest tool by tool.
  if [ "$group" = kube ]; then
    all=1
    for t in "${tools[@]}"; do pick_from_path "$t" || all=0; done
    kv="$( [ "$all" = 1 ] && for t in kube-apiserver kube-controller-manager kube-scheduler; do tool_version "$t" "${CHOSEN[$t]}" | cut -d. -f1-2; echo; done | sort -u | wc -l)"
    if [ "$all" != 1 ] || [ "$kv" != 1 ]; then
      for t in "${tools[@]}"; do unset "CHOSEN[$t]" "SOURCE[$t]"; done
    fi
  else
    for t in "${tools[@]}"; do pick_from_path "$t" || true; done
  fi
  for t in "${tools[@]}"; do
    [ -n "${CHOSEN[$t]:-}" ] && continue
    if [ ! -x "$dir/bin/$t" ]; then missing+=("$t"); fi
    CHOSEN[$t]="$dir/bin/$t"; SOURCE[$t]="built"
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$group" = kube ]; then build_kube "${missing[@]}"; else build_pulumi "${missing[@]}"; fi
  fi
  for t in "${tools[@]}"; do
    d=$(dirname "${CHOSEN[$t]}")
    case " ${DIRS[*]:-} " in *" $d "*) ;; *) DIRS+=("$d") ;; esac
  done
done
log "tools ready in $(( $(now) - START ))s (cache $CACHE)"
if [ "$SHOW_VERSIONS" = 1 ]; then
  for t in "${!CHOSEN[@]}"; do
    printf '[tools] version %s %s %s %s\n' "$t" "$(tool_version "$t" "${CHOSEN[$t]}")" "${SOURCE[$t]}" "${CHOSEN[$t]}" >&2
  done | sort >&2
fi
printf '%s\n' "${DIRS[@]}"
