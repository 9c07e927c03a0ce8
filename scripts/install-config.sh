#!/bin/sh
# meson install: puts the shipped configuration in FOLDER (DESTDIR
# honoured) without replacing a file that differs from it (one the
# administrator changed, or an older release's): that one stays, and the
# shipped one goes beside it as NAME.new.
#   install-config.sh FOLDER FILE...
set -eu
dir=$1
shift
dest="${DESTDIR:-}$dir"
mkdir -p "$dest"
for src in "$@"; do
	name=$(basename "$src")
	if [ -e "$dest/$name" ] && ! cmp -s "$src" "$dest/$name"; then
		install -m 0644 "$src" "$dest/$name.new"
		echo "acmed: $dir/$name differs from the one shipped: kept;" \
		    "the shipped one is $dir/$name.new"
	else
		install -m 0644 "$src" "$dest/$name"
	fi
done
