# deps.sh - sourced by the README's commands: installs the Debian packages
# that are missing (as root), or says which are missing.
#
# Usage: deps_install pkg...

deps_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: ${missing[*]}" >&2
		echo "run this command as root, or: apt-get install ${missing[*]}" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "${missing[@]}" ||
	    { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
}

# What building acmed needs.
DEPS_BUILD=(meson ninja-build pkg-config gcc libc6-dev libssl-dev
    libcurl4-openssl-dev libjansson-dev libidn2-dev)
# What the tests need on top.
DEPS_TEST=(libcmocka-dev python3 python3-pytest python3-pytest-xdist pebble openssl clang mandoc
    libfuzzer-14-dev libclang-rt-14-dev valgrind gdb nginx git procps)
