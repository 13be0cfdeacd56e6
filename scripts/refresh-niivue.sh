#!/usr/bin/env bash
# Refreshes the NiiVue bundle the HTML report inlines, from the npm registry at the pinned version.
# The jar is built from the committed copy, so building needs neither node nor a network; only this script does.
# Usage: scripts/refresh-niivue.sh [VERSION]   (then update NIIVUE_VERSION in HtmlReport.java if the pin changed)
set -euo pipefail
version="${1:-0.69.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/deepanat/src/main/resources/dev/deepanat/report/niivue"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@niivue/niivue@$version" >/dev/null && tar xzf niivue-niivue-"$version".tgz)
bundle="$tmp/package/dist/niivue.umd.js"
# The report inlines one classic script: the UMD bundle (global `niivue`) must not load sibling chunks or workers.
if grep -qE 'import\(|new Worker\(|importScripts\(' "$bundle"; then
  echo "refresh-niivue: $bundle loads other files (dynamic import or worker); it cannot be inlined" >&2
  exit 1
fi
license="$(node -p "require('$tmp/package/package.json').license")"
# The tarball carries no LICENSE file; the committed one (BSD-2-Clause, Copyright (c) 2021, Niivue) stays valid
# only while the package's declared licence is unchanged.
if [[ "$license" != "BSD-2-Clause" ]]; then
  echo "refresh-niivue: @niivue/niivue@$version declares licence '$license', not BSD-2-Clause; update $dest/LICENSE first" >&2
  exit 1
fi
cp "$bundle" "$dest/niivue.umd.js"
echo "$version" > "$dest/VERSION"
echo "refresh-niivue: $dest/niivue.umd.js is @niivue/niivue@$version ($(wc -c < "$dest/niivue.umd.js") bytes)"
