#!/usr/bin/env bash
# Provides a Lua 5.4 interpreter for the tests of the Argo CD health check
# (docs/gitops/datacluster-health.lua) and prints its path on stdout (progress on stderr):
#
#   lua=$(hack/lua.sh) && "$lua" -v
#
# A lua5.4 already on PATH is used as it is. Otherwise Debian's lua5.4 and liblua5.4-0 packages
# are fetched with a private apt configuration (hack/lib/apt.sh) and unpacked under
# ~/.cache/datacluster/lua, with a small wrapper that points the dynamic loader at the unpacked
# library: nothing in the system changes and no root is needed. Details go to lua.log beside it,
# whose tail is printed when a step fails. Safe to run repeatedly.
set -euo pipefail

SUITE=bookworm
CACHE_ROOT="${DATACLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datacluster}"
LUA_DIR="$CACHE_ROOT/lua/lua5.4-$SUITE"
LOG="$CACHE_ROOT/lua/lua.log"

say() { echo "lua: $*" >&2; }
die() { echo "lua: error: $*" >&2; exit 1; }

if command -v lua5.4 >/dev/null; then
    command -v lua5.4
    exit 0
fi

if [[ -x "$LUA_DIR/lua" ]]; then
    echo "$LUA_DIR/lua"
    exit 0
fi

source "$(dirname "$0")/lib/apt.sh"
apt_private_possible || die "lua5.4 is not on PATH and this is not a Debian machine with apt-get and dpkg-deb; install Lua 5.4 and run again"

mkdir -p "$CACHE_ROOT/lua"
source "$(dirname "$0")/lib/scratch.sh"
scratch_begin

say "fetching Debian's lua5.4 and liblua5.4-0 packages ($SUITE)"
{
    apt_private_init "$WORK/apt" "deb $SUITE"
    apt_private_update
    apt_fetch_debs "$WORK/debs" "lua5.4/$SUITE" "liblua5.4-0/$SUITE"
} >>"$LOG" 2>&1 || die "fetching the packages failed"

STAGE="$LUA_DIR.partial"
rm -rf "$STAGE"
deb_unpack "$STAGE/root" "$WORK"/debs/*.deb >>"$LOG" 2>&1
binary="$STAGE/root/usr/bin/lua5.4"
[[ -x "$binary" ]] || die "the lua5.4 package holds no usr/bin/lua5.4"
library_dir=$(dirname "$(find "$STAGE/root" -name 'liblua5.4.so.0*' | head -n 1)")
[[ -n "$library_dir" && "$library_dir" != "." ]] || die "the liblua5.4-0 package holds no liblua5.4.so.0"

# The wrapper resolves its own directory at run time, so the cache can move.
cat >"$STAGE/lua" <<EOF
#!/bin/sh
here=\$(dirname "\$0")
LD_LIBRARY_PATH="\$here/${library_dir#"$STAGE/"}\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$here/root/usr/bin/lua5.4" "\$@"
EOF
chmod +x "$STAGE/lua"
"$STAGE/lua" -e 'assert(_VERSION == "Lua 5.4")' >>"$LOG" 2>&1 || die "the unpacked lua5.4 does not run"
rm -rf "$LUA_DIR"
mv "$STAGE" "$LUA_DIR"
say "Lua 5.4 ready in $LUA_DIR"
echo "$LUA_DIR/lua"
