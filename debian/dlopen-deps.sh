#!/bin/sh
# Computes the packages of the libraries the daemon loads with dlopen(), for the release this
# build runs on, into debian/ovpn-mgmt-push.substvars: dlopen:Depends (libcurl) and
# dlopen:Recommends (libmicrohttpd, for --metrics-listen only). dpkg-shlibdeps sees only what
# a binary links, so it is asked about a probe that links each library and calls every symbol
# its loader resolves (read from the loader's own source): it names the package of this
# release (libcurl4 on Debian 12, libcurl4t64 on Debian 13, each through its shlibs/symbols
# file, never through a Provides:) and the oldest version that has all those symbols.
set -eu
work=debian/dlopen-probes
rm -rf "$work"
mkdir -p "$work"

# probe NAME LOADER_SOURCE LINK_FLAG: a program calling every need("SYMBOL") of the loader.
probe() {
    symbols=$(sed -n 's/.*need("\([A-Za-z_]*\)".*/\1/p' "$2")
    [ -n "$symbols" ] || { echo "dlopen-deps: no need(\"...\") symbol in $2" >&2; exit 1; }
    {
        for s in $symbols; do echo "extern void $s(void);"; done
        echo 'int main(void) { void (*volatile used[])(void) = {'
        for s in $symbols; do echo "    $s,"; done
        echo '}; return used[0] == 0; }'
    } >"$work/$1.c"
    ${CC:-cc} "$work/$1.c" -o "$work/$1" -Wl,--no-as-needed "$3"
}
probe curl pusher/panel/curl_library.cpp -lcurl
probe microhttpd pusher/metrics/microhttpd_library.cpp -lmicrohttpd

# (Its warning that the probes are not in a package's directory is true and harmless: only
# that line is left out of what it says.)
if ! dpkg-shlibdeps -Tdebian/ovpn-mgmt-push.substvars -pdlopen -xlibc6 \
        -dDepends "$work/curl" -dRecommends "$work/microhttpd" 2>"$work/stderr"; then
    cat "$work/stderr" >&2
    exit 1
fi
grep -v 'binaries to analyze should already be installed' "$work/stderr" >&2 || true

# A floor no symbol shows: the loader refuses a libcurl older than kOldestVersion (an option
# it sets arrived then), so the package asks for that version too, never for less.
floor=$(sed -n 's/.*kOldestVersion = 0x\([0-9a-fA-F]\{2\}\)\([0-9a-fA-F]\{2\}\)\([0-9a-fA-F]\{2\}\);.*/\1 \2 \3/p' \
        pusher/panel/curl_library.hpp)
[ -n "$floor" ] || { echo "dlopen-deps: no kOldestVersion in pusher/panel/curl_library.hpp" >&2; exit 1; }
floor=$(printf '%d.%d.%d' $(for h in $floor; do echo "0x$h"; done))
computed=$(sed -n 's/^dlopen:Depends=.*(>= \([^)]*\)).*/\1/p' debian/ovpn-mgmt-push.substvars)
if [ -z "$computed" ] || dpkg --compare-versions "$computed" lt "$floor"; then
    sed -i "/^dlopen:Depends=/s/ (>= [^)]*)//; /^dlopen:Depends=/s/\(libcurl[a-z0-9]*\)/\1 (>= $floor)/" \
        debian/ovpn-mgmt-push.substvars
fi
grep '^dlopen:' debian/ovpn-mgmt-push.substvars
rm -rf "$work"
