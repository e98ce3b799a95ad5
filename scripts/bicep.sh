#!/usr/bin/env bash
# Builds and lints infra/bicep offline (NuGet is the only network source).
#
# The Bicep CLI is obtained from the NuGet package Azure.Bicep.CommandLine.linux-x64 (it ships the
# native `bicep` binary). A throwaway restore-only project under .data/bicep-tool (git-ignored)
# pulls it into the NuGet global packages folder. That folder carries empty Directory.Build.props /
# Directory.Packages.props / Directory.Build.rsp so nothing from the repo root (central package
# management, TreatWarningsAsErrors, ...) is inherited.
#
# Exit status: non-zero on any build error, any linter diagnostic of level warning or error, or any
# warning emitted while building the .bicepparam files. Info-level diagnostics are printed only.
#
# Usage: scripts/bicep.sh            (build + lint main.bicep, build both parameter files)
#        scripts/bicep.sh --path     (print the path of the bicep binary and exit)
set -euo pipefail

BICEP_VERSION="${BICEP_VERSION:-0.49.2}"
PKG_ID="azure.bicep.commandline.linux-x64"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL_DIR="$ROOT/.data/bicep-tool"
NUGET_ROOT="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
PKG_DIR="$NUGET_ROOT/$PKG_ID/$BICEP_VERSION"

find_bicep() {
  [ -d "$PKG_DIR" ] || return 1
  find "$PKG_DIR" -type f -name bicep 2>/dev/null | head -n 1
}

BICEP="$(find_bicep || true)"
if [ -z "$BICEP" ]; then
  echo "bicep.sh: restoring Azure.Bicep.CommandLine.linux-x64 $BICEP_VERSION from NuGet into $NUGET_ROOT" >&2
  mkdir -p "$TOOL_DIR"
  # Stop MSBuild from walking up into the repo's Directory.* files.
  printf '<Project />\n' > "$TOOL_DIR/Directory.Build.props"
  printf '<Project />\n' > "$TOOL_DIR/Directory.Build.targets"
  printf '<Project />\n' > "$TOOL_DIR/Directory.Packages.props"
  : > "$TOOL_DIR/Directory.Build.rsp"
  cat > "$TOOL_DIR/bicep-tool.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
    <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
    <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
    <IsPackable>false</IsPackable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Azure.Bicep.CommandLine.linux-x64" Version="$BICEP_VERSION" ExcludeAssets="all" />
  </ItemGroup>
</Project>
XML
  # Single node, no build: this only downloads the package.
  dotnet restore "$TOOL_DIR/bicep-tool.csproj" -nologo -v quiet -m:1 -p:NuGetAudit=false >&2
  BICEP="$(find_bicep || true)"
  if [ -z "$BICEP" ]; then
    echo "bicep.sh: bicep binary not found under $PKG_DIR" >&2
    exit 2
  fi
fi
chmod +x "$BICEP"

if [ "${1:-}" = "--path" ]; then
  echo "$BICEP"
  exit 0
fi

export BICEP_TRACING_ENABLED=false
# No telemetry, no registry/module restore from the internet: all modules are local.
export BICEP_TELEMETRY_DISABLED=1 AZURE_BICEP_TELEMETRY_DISABLED=1

# prod.bicepparam reads the CFDI issuer from the deployer's environment (no placeholder RFC in the repo). To
# compile it here, stand-ins of the right shape are used unless real ones are set; they never reach Azure.
export TELECABLE_EMISOR_RFC="${TELECABLE_EMISOR_RFC:-AAA010101AAA}"
export TELECABLE_EMISOR_NOMBRE="${TELECABLE_EMISOR_NOMBRE:-EMISOR DE COMPILACION}"
export TELECABLE_EMISOR_REGIMEN="${TELECABLE_EMISOR_REGIMEN:-601}"
export TELECABLE_EMISOR_CP="${TELECABLE_EMISOR_CP:-64000}"

cd "$ROOT"
"$BICEP" --version
status=0
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

# run <label> <cmd...>: prints the diagnostics; fails on an error exit or on Warning/Error lines.
run() {
  local label="$1"; shift
  echo "== $label"
  if ! "$@" >/dev/null 2>"$OUT"; then
    cat "$OUT"
    echo "FAIL: $label (exit code)" >&2
    status=1
    return
  fi
  cat "$OUT"
  if grep -Eq ': (Warning|Error) ' "$OUT"; then
    echo "FAIL: $label (warning/error diagnostics)" >&2
    status=1
  else
    echo "ok"
  fi
}

run "bicep build infra/bicep/main.bicep" "$BICEP" build infra/bicep/main.bicep --stdout
run "bicep lint infra/bicep/main.bicep" "$BICEP" lint infra/bicep/main.bicep --diagnostics-format default
for f in infra/bicep/parameters/*.bicepparam; do
  run "bicep build-params $f" "$BICEP" build-params "$f" --stdout
  run "bicep lint $f" "$BICEP" lint "$f" --diagnostics-format default
done

if [ "$status" -ne 0 ]; then
  echo "bicep.sh: FAILED" >&2
else
  echo "bicep.sh: all clean"
fi
exit "$status"
