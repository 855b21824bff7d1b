#!/usr/bin/env bash
# Provides the C toolchain that Native AOT links the agent with, and prints a directory to put in
# front of PATH (progress on stderr):
#
#   PATH="$(hack/native-toolchain.sh):$PATH" dotnet publish agent -c Release -r linux-x64
#
# The ILCompiler package turns the agent into object code itself; what it needs from the machine
# is a compiler driver to link with (clang, or gcc when there is no clang), the linker behind it
# (GNU ld), the C library's development files, and objcopy to split the symbols off. zlib comes
# with .NET's own runtime pack (a static libz.a), so zlib1g-dev is not needed.
#
# Order of preference:
#   1. a clang or gcc on PATH that links a C program, with objcopy beside it: its directory;
#   2. the cache (~/.cache/datacluster/native-toolchain/gcc-12-bookworm), filled by an earlier run;
#   3. on Debian: gcc-12, binutils, libc6-dev and the libraries they load, fetched from bookworm
#      with a private apt configuration (hack/lib/apt.sh) and unpacked into the cache, with
#      wrappers that point gcc at the unpacked C library (--sysroot) and the linker at its own
#      shared libraries. Nothing in the system changes and no root is needed.
# Details go to native-toolchain.log beside it, whose tail is printed when a step fails. Safe to
# run repeatedly.
set -euo pipefail

SUITE=bookworm
CACHE_ROOT="${DATACLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datacluster}"
TOOLCHAIN="$CACHE_ROOT/native-toolchain/gcc-12-$SUITE"
LOG="$CACHE_ROOT/native-toolchain/native-toolchain.log"
# gcc-12's driver and collect2; the startup files and libgcc; the C library to link against and
# its development files; GNU ld and objcopy with the libraries they load.
PACKAGES=(gcc-12 libgcc-12-dev libgcc-s1 libc6 libc6-dev binutils binutils-x86-64-linux-gnu
    binutils-common libbinutils libctf0 libctf-nobfd0 libgprofng0 libjansson4 libzstd1
    zlib1g)

say() { echo "native-toolchain: $*" >&2; }
die() { echo "native-toolchain: error: $*" >&2; exit 1; }

# links CC: whether CC turns a C program into an executable that runs.
links() {
    local cc="$1" dir
    dir=$(mktemp -d)
    printf 'int main(void) { return 0; }\n' >"$dir/probe.c"
    if "$cc" "$dir/probe.c" -o "$dir/probe" >/dev/null 2>&1 && "$dir/probe"; then
        rm -rf "$dir"
        return 0
    fi
    rm -rf "$dir"
    return 1
}

if command -v objcopy >/dev/null; then
    for cc in clang gcc; do
        if command -v "$cc" >/dev/null && links "$cc"; then
            dirname "$(command -v "$cc")"
            exit 0
        fi
    done
fi

if [[ -x "$TOOLCHAIN/bin/gcc" && -x "$TOOLCHAIN/bin/objcopy" ]]; then
    echo "$TOOLCHAIN/bin"
    exit 0
fi

[[ "$(uname -m)" == x86_64 ]] || die "no clang or gcc that links on PATH; install clang (or gcc) and binutils and run again"
source "$(dirname "$0")/lib/apt.sh"
apt_private_possible ||
    die "no clang or gcc that links on PATH, and this is not a Debian machine with apt-get and dpkg-deb; install clang (or gcc) and binutils and run again"

mkdir -p "$CACHE_ROOT/native-toolchain"
source "$(dirname "$0")/lib/scratch.sh"
scratch_begin

say "fetching Debian's gcc-12, binutils and libc6-dev ($SUITE)"
{
    apt_private_init "$WORK/apt" "deb $SUITE"
    apt_private_update
    apt_fetch_debs "$WORK/debs" "${PACKAGES[@]/%//$SUITE}"
} >>"$LOG" 2>&1 || die "fetching the packages failed"

STAGE="$TOOLCHAIN.partial"
rm -rf "$STAGE"
deb_unpack "$STAGE/root" "$WORK"/debs/*.deb >>"$LOG" 2>&1
[[ -x "$STAGE/root/usr/bin/x86_64-linux-gnu-gcc-12" ]] || die "the gcc-12 package holds no usr/bin/x86_64-linux-gnu-gcc-12"
[[ -x "$STAGE/root/usr/bin/x86_64-linux-gnu-ld.bfd" ]] || die "the binutils packages hold no usr/bin/x86_64-linux-gnu-ld.bfd"

# The linker's and objcopy's own shared libraries, apart from the unpacked C library, which the
# host's dynamic loader must not pick up.
mkdir -p "$STAGE/lib" "$STAGE/bin" "$STAGE/ld"
for library in libbfd libctf libgprofng libjansson libzstd libz; do
    find "$STAGE/root/usr/lib/x86_64-linux-gnu" "$STAGE/root/lib/x86_64-linux-gnu" -maxdepth 1 \
        -name "$library[-.]*so*" -exec cp -a {} "$STAGE/lib/" \; 2>/dev/null || true
done

# The wrappers resolve their own directory at run time, so the cache can move. gcc finds ld
# through -B (the ld and ld.bfd wrappers), its startup files and the C library under --sysroot.
for tool in ld ld.bfd objcopy; do
    target=x86_64-linux-gnu-$tool
    [[ "$tool" == ld ]] && target=x86_64-linux-gnu-ld.bfd
    cat >"$STAGE/ld/$tool" <<EOF
#!/bin/sh
here=\$(cd "\$(dirname "\$0")/.." && pwd)
LD_LIBRARY_PATH="\$here/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$here/root/usr/bin/$target" "\$@"
EOF
    chmod +x "$STAGE/ld/$tool"
done
cp "$STAGE/ld/objcopy" "$STAGE/bin/objcopy"
cat >"$STAGE/bin/gcc" <<'EOF'
#!/bin/sh
here=$(cd "$(dirname "$0")/.." && pwd)
exec "$here/root/usr/bin/x86_64-linux-gnu-gcc-12" --sysroot="$here/root" -B"$here/ld/" "$@"
EOF
chmod +x "$STAGE/bin/gcc"

# The probe needs the compiler proper (cc1), which is not fetched: link an object file instead,
# made of nothing but main, the way the ILCompiler hands the linker its object files.
probe="$WORK/probe"
mkdir -p "$probe"
cat >"$probe/main.s" <<'EOF'
    .text
    .globl main
main:
    xorl %eax, %eax
    ret
    .section .note.GNU-stack,"",@progbits
EOF
LD_LIBRARY_PATH="$STAGE/lib" "$STAGE/root/usr/bin/x86_64-linux-gnu-as" "$probe/main.s" -o "$probe/main.o" >>"$LOG" 2>&1 ||
    die "the unpacked assembler does not run"
"$STAGE/bin/gcc" -fuse-ld=bfd "$probe/main.o" -lm -ldl -lpthread -lrt -o "$probe/main" >>"$LOG" 2>&1 ||
    die "the unpacked gcc does not link"
"$probe/main" || die "what the unpacked gcc linked does not run"
"$STAGE/bin/objcopy" --only-keep-debug "$probe/main" "$probe/main.dbg" >>"$LOG" 2>&1 ||
    die "the unpacked objcopy does not run"

rm -rf "$TOOLCHAIN"
mv "$STAGE" "$TOOLCHAIN"
say "gcc 12 and binutils ready in $TOOLCHAIN"
echo "$TOOLCHAIN/bin"
