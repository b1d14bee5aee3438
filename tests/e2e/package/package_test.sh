#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian packages (issue 13 item 5), built from the tracked tree as
# dpkg-buildpackage builds them, then checked:
#   - sidewall and sidewall-enforcer .debs exist and hold the programs, the
#     configuration under /etc/sidewall, the systemd units, the sysusers.d
#     files, both programs' and both config files' man pages, the docs;
#   - lintian --pedantic reports nothing but what debian/*.lintian-overrides
#     explains;
#   - the programs from the package run: --version, and sidewall -T on the
#     packaged configuration loads the packaged rules (default-rule-path is
#     relative to the configuration file); sidewall-enforcer -t accepts the
#     packaged configuration once a key exists;
#   - every man page renders without a warning.
# Nothing is installed on this machine: the packages are unpacked into a
# temporary directory.
#
#   package_test.sh SRC_DIR
set -u
SRC=$(readlink -f "$1")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
for c in dpkg-buildpackage dh lintian; do
	command -v "$c" >/dev/null || { echo "FAIL: $c missing (scripts/setup.sh installs debhelper, dpkg-dev, lintian)"; exit 1; }
done

mkdir -p "$T/src"
if [ -d "$SRC/.git" ] || git -C "$SRC" rev-parse >/dev/null 2>&1; then
	git -C "$SRC" ls-files -z | (cd "$SRC" && xargs -0 tar -cf -) | tar -C "$T/src" -xf -
else
	tar -C "$SRC" --exclude=./build --exclude='./obj-*' -cf - . | tar -C "$T/src" -xf -
fi
(cd "$T/src" && dpkg-buildpackage -b -us -uc >"$T/build.log" 2>&1) ||
	{ echo "FAIL: dpkg-buildpackage"; tail -30 "$T/build.log"; exit 1; }
ok "dpkg-buildpackage -b built the packages"
SW=$T/sidewall_*_amd64.deb
EN=$T/sidewall-enforcer_*_amd64.deb
# shellcheck disable=SC2086
ls $SW $EN >/dev/null 2>&1 || { echo "FAIL: .debs missing: $(ls "$T")"; exit 1; }

has() { # deb path...
	local deb=$1
	shift
	for f in "$@"; do
		# shellcheck disable=SC2086
		dpkg-deb -c $deb | awk '{print $6}' | grep -qx "./$f" && ok "$(basename $deb | cut -d_ -f1) has /$f" ||
			bad "$(basename $deb) lacks /$f"
	done
}
has "$SW" usr/bin/sidewall etc/sidewall/sidewall.yaml etc/sidewall/rules/default.rules \
	lib/systemd/system/sidewall.service usr/lib/sysusers.d/sidewall.conf \
	usr/share/man/man8/sidewall.8.gz usr/share/man/man5/sidewall.yaml.5.gz \
	usr/share/doc/sidewall/hardening.md.gz
has "$EN" usr/bin/sidewall-enforcer etc/sidewall/enforcer.yaml lib/systemd/system/sidewall-enforcer.service \
	usr/lib/sysusers.d/sidewall-enforcer.conf usr/share/man/man8/sidewall-enforcer.8.gz \
	usr/share/man/man5/sidewall-enforcer.yaml.5.gz
# shellcheck disable=SC2086
dpkg-deb -I $SW | grep -q '^ Depends:.*libhyperscan5' && ok "shlibs dependencies computed" || bad "no shlibs Depends"
# shellcheck disable=SC2086
dpkg-deb -e $SW "$T/ctl" && grep -q systemd-sysusers "$T/ctl/postinst" && ok "postinst creates the system user" ||
	bad "postinst does not create the user"
# dh_installsystemd --no-enable: enable only if it was enabled before (the
# debian-installed guard); the default would enable on a first install.
grep -q "deb-systemd-helper debian-installed 'sidewall.service'" "$T/ctl/postinst" &&
	! grep -q "deb-systemd-invoke start" "$T/ctl/postinst" &&
	ok "the unit is installed, neither enabled nor started on a first install" || bad "unit enable/start handling"

# lintian: nothing beyond the overrides (which say why)
lintian --pedantic --display-info "$T"/sidewall_*_amd64.changes >"$T/lintian.log" 2>&1
if grep -qE '^[EWIPX]: ' "$T/lintian.log"; then
	bad "lintian: $(grep -E '^[EWIPX]: ' "$T/lintian.log" | head -10)"
else
	ok "lintian --pedantic: clean apart from the explained overrides"
fi

# the packaged programs and configuration
mkdir -p "$T/root"
# shellcheck disable=SC2086
dpkg-deb -x $SW "$T/root" && dpkg-deb -x $EN "$T/root"
"$T/root/usr/bin/sidewall" --version | grep -q '^sidewall ' && ok "packaged sidewall runs" || bad "sidewall --version"
out=$("$T/root/usr/bin/sidewall" -T -c "$T/root/etc/sidewall/sidewall.yaml" 2>&1)
echo "$out" | grep -qE '^rules: [1-9][0-9]* loaded, 0 rejected' && ok "sidewall -T on the packaged config: $(echo "$out" | grep '^rules:')" ||
	bad "sidewall -T on the packaged config: $out"
"$T/root/usr/bin/sidewall-enforcer" genkey >"$T/enforcer.key" 2>/dev/null
chmod 600 "$T/enforcer.key"
sed "s|/etc/sidewall/enforcer.key|$T/enforcer.key|" "$T/root/etc/sidewall/enforcer.yaml" >"$T/enforcer.yaml"
"$T/root/usr/bin/sidewall-enforcer" -c "$T/enforcer.yaml" -t >"$T/t.log" 2>&1 &&
	ok "sidewall-enforcer -t accepts the packaged config (with a key)" || bad "sidewall-enforcer -t: $(tail -2 "$T/t.log")"
for m in "$T"/root/usr/share/man/man*/*.gz; do
	w=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
	[ -z "$w" ] && ok "man $(basename "$m" .gz) renders cleanly" || bad "man $(basename "$m"): $w"
done

if [ "$fails" -ne 0 ]; then
	echo "package_test: $fails check(s) failed"
	exit 1
fi
echo "package_test: all checks passed"
