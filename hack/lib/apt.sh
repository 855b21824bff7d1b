# Fetches and unpacks Debian packages without installing them. Sourced by hack/envtest.sh and
# hack/tools.sh.
#
# apt runs with a configuration of its own, in a directory the caller chooses: its own sources,
# package lists and download cache, an empty dpkg status, and nothing from /etc/apt (whose hooks,
# such as the AppStream refresh after an update, act on the system) but the proxy setting, so
# that a machine behind a proxy still reaches the mirror. Packages are unpacked with dpkg-deb -x,
# source packages with tar and patch. Nothing is installed, no maintainer script or service runs,
# and no root is needed.

DEBIAN_MIRROR=http://deb.debian.org/debian
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Whether this machine can fetch packages the way this file does.
apt_private_possible() {
    [[ -f /etc/debian_version && -r "$DEBIAN_KEYRING" ]] &&
        command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null
}

# apt_private_init DIR SOURCE...
# Writes the configuration into DIR and uses it for the apt_* calls that follow. Each SOURCE is
# "deb SUITE" or "deb-src SUITE" for the main component of Debian.
apt_private_init() {
    local dir="$1" source
    shift
    mkdir -p "$dir"/etc/{apt.conf.d,sources.list.d,preferences.d} \
        "$dir"/state/lists/partial "$dir"/cache/archives/partial "$dir"/log
    : >"$dir/state/status"
    for source in "$@"; do
        echo "${source% *} [signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR ${source#* } main"
    done >"$dir/etc/sources.list"
    {
        echo "Dir::Etc \"$dir/etc/\";"
        echo "Dir::State \"$dir/state/\";"
        echo "Dir::State::status \"$dir/state/status\";"
        echo "Dir::Cache \"$dir/cache/\";"
        echo "Dir::Log \"$dir/log/\";"
        # As root apt downloads as the user _apt, which cannot write into a home directory.
        echo 'APT::Sandbox::User "root";'
        echo 'Acquire::Languages "none";'
        echo 'Acquire::GzipIndexes "true";'
        APT_CONFIG= apt-config dump --no-empty --format '%f "%v";%n' \
            Acquire::http::Proxy Acquire::https::Proxy 2>/dev/null || true
    } >"$dir/etc/apt.conf"
    # apt reads APT_CONFIG before anything else; as Dir::Etc points at DIR/etc, the main file and
    # the parts directory it reads next are this file and an empty directory, not /etc/apt's.
    export APT_CONFIG="$dir/etc/apt.conf"
}

apt_private_update() {
    apt-get -q --error-on=any update
}

# apt_fetch_debs DIR PACKAGE[/SUITE]...
apt_fetch_debs() {
    local dir="$1"
    shift
    mkdir -p "$dir"
    (cd "$dir" && apt-get -q download "$@")
}

# apt_fetch_source DIR PACKAGE[/SUITE]
# Downloads the .dsc and its tarballs into DIR; apt checks them against the signed index.
apt_fetch_source() {
    mkdir -p "$1"
    (cd "$1" && apt-get -q source --download-only "$2")
}

# deb_unpack ROOT DEB...
# Unpacks each package's files under ROOT (ROOT/usr/bin/..., ...); maintainer scripts do not run.
deb_unpack() {
    local root="$1" deb
    shift
    mkdir -p "$root"
    for deb in "$@"; do
        echo "unpacking $(basename "$deb")"
        dpkg-deb -x "$deb" "$root"
    done
}

# source_unpack DEST DSC
# Unpacks a "3.0 (quilt)" source package into DEST the way dpkg-source -x does, without needing
# dpkg-dev: the upstream tarball (and any component tarballs), the debian tarball over it, then
# the patches in debian/patches/series in order. Needs tar, the tarballs' decompressors and patch.
source_unpack() {
    local dest="$1" dsc="$2" dir format name line patch level origs=0
    local -a files
    dir=$(dirname "$dsc")
    format=$(sed -n 's/^Format: *//p' "$dsc")
    if [[ "$format" != "3.0 (quilt)" ]]; then
        echo "source_unpack: $dsc has format '$format'; only 3.0 (quilt) is handled" >&2
        return 1
    fi
    # The names listed under "Files:", each on a line " md5sum size name".
    mapfile -t files < <(sed -n '/^Files:/,/^[^ ]/s/^ [^ ]* [^ ]* //p' "$dsc")
    for name in "${files[@]}"; do
        case "$name" in
            *.asc) ;;
            *.orig.tar.*) tarball_unpack "$dir/$name" "$dest"; origs=$((origs + 1)) ;;
        esac
    done
    if (( origs != 1 )); then
        echo "source_unpack: $dsc lists $origs upstream tarballs instead of one" >&2
        return 1
    fi
    for name in "${files[@]}"; do
        case "$name" in
            *.asc) ;;
            *.orig-*.tar.*)
                local component=${name##*.orig-}
                tarball_unpack "$dir/$name" "$dest/${component%%.tar.*}"
                ;;
            *.debian.tar.*) echo "unpacking $name"; tar -xf "$dir/$name" -C "$dest" ;;
        esac
    done
    [[ -f "$dest/debian/patches/series" ]] || return 0
    # quilt's series format: a patch per line, optionally followed by -pN; # starts a comment.
    while read -r line; do
        line=${line%%#*}
        read -r patch level _ <<<"$line" || true
        [[ -n "$patch" ]] || continue
        echo "applying $patch"
        patch -d "$dest" --batch --no-backup-if-mismatch "${level:--p1}" -i "$dest/debian/patches/$patch"
    done <"$dest/debian/patches/series"
}

# tarball_unpack TARBALL DEST
# Extracts TARBALL into DEST, dropping the top directory when everything is inside a single one.
tarball_unpack() {
    local tarball="$1" dest="$2" strip=0
    echo "unpacking $(basename "$tarball")"
    if [[ $(tar -tf "$tarball" | cut -d/ -f1 | sort -u | wc -l) -eq 1 ]]; then strip=1; fi
    mkdir -p "$dest"
    tar -xf "$tarball" -C "$dest" --strip-components="$strip"
}
