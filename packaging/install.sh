#!/bin/sh
# Installs agentd on a Debian or Ubuntu host running systemd, from the project's
# .deb: apt installs it with its dependencies (a Java 17+ runtime, catatonit;
# criu when recommends are on), then agentd.service is enabled and started.
#
#   sudo packaging/install.sh [--no-start] [PATH/agentd_VERSION_all.deb]
#
# Without a path, uses the newest agentd_*_all.deb beside this script, in
# target/dist/ of the checkout it belongs to, or in the current directory.
# --no-start enables agentd for the next boot without starting it now.
#
# Other hosts are refused with what to do instead: the tarball
# (agentd-VERSION.tar.gz) holds the same tree for a manual install.
set -eu

prog=install.sh
die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 1
}
warn() {
    printf '%s: warning: %s\n' "$prog" "$*" >&2
}

start=1
deb=
for arg in "$@"; do
    case $arg in
    --no-start) start=0 ;;
    -h | --help)
        sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    -*) die "unknown option $arg (see --help)" ;;
    *) deb=$arg ;;
    esac
done

tarball_help() {
    cat >&2 <<'EOF'

Install from the tarball instead (agentd-VERSION.tar.gz from packaging/build),
as root:
  tar -xzf agentd-VERSION.tar.gz -C / --strip-components=1 --no-overwrite-dir
  #   (upgrading: add --exclude='*/etc/agentd/agentd.yaml' to keep your configuration)
  # the group and directories (what the .deb's postinst does):
  systemd-sysusers agentd.conf || groupadd --system agentd
  systemd-tmpfiles --create agentd.conf ||
    { install -d -m 0750 -g agentd /run/agentd; install -d -m 0700 /var/lib/agentd;
      install -d /etc/agentd/agents; }
  # with systemd:
  systemctl daemon-reload && systemctl enable --now agentd
  # without systemd: run /usr/bin/agentd (foreground; audit records on stdout)
  # under your supervisor. It needs Java 17+ and /usr/bin/catatonit.
EOF
}

[ "$(id -u)" = 0 ] || die "run as root (sudo $0 $*)"

if [ ! -d /run/systemd/system ]; then
    printf '%s: this host does not run systemd (no /run/systemd/system):\n' "$prog" >&2
    printf 'agentd.service, agent.target and the watchdog need it.\n' >&2
    tarball_help
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    printf '%s: this host has no apt-get/dpkg: the .deb is for Debian and Ubuntu.\n' "$prog" >&2
    tarball_help
    exit 1
fi

if [ -z "$deb" ]; then
    here=$(cd "$(dirname "$0")" && pwd)
    for d in "$here" "$here/../target/dist" "$(pwd)"; do
        # Newest first; a missing directory or no match yields nothing.
        # shellcheck disable=SC2012 # our own file names: no odd characters
        found=$(ls -t "$d"/agentd_*_all.deb 2>/dev/null | head -n 1 || true)
        if [ -n "$found" ]; then
            deb=$found
            break
        fi
    done
    [ -n "$deb" ] || die "no agentd_*_all.deb found beside this script, in target/dist or here: run packaging/build, or pass the .deb's path"
fi
[ -f "$deb" ] || die "$deb: no such file"
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
[ "$(dpkg-deb -f "$deb" Package 2>/dev/null)" = agentd ] || die "$deb is not the agentd package"

# What the host gives agentd; none of it stops the installation.
kernel=$(uname -r)
case $kernel in
[0-5].* | 6.[0-9].* | 6.1[01].*)
    warn "Linux $kernel: agentd wants Linux 6.12 or later for the whole sandbox (Landlock ABI 6);" \
        "manifests with landlock: hard will be refused where a rule cannot be enforced" ;;
esac
systemd_version=$(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && [ "${systemd_version:-0}" -lt 254 ]; then
    warn "systemd $systemd_version on cgroup v2: restarting agentd while agents run needs systemd 254 or later" \
        "(DelegateSubgroup=); until then a restart with running agents fails with status=219/CGROUP." \
        "Debian 12: install systemd from bookworm-backports."
fi

export DEBIAN_FRONTEND=noninteractive
printf '%s: installing %s\n' "$prog" "$deb"
if ! apt-get install -y "$deb"; then
    printf '%s: refreshing the package lists and trying again\n' "$prog"
    apt-get update
    apt-get install -y "$deb" || die "apt-get could not install $deb (see above)"
fi

if [ "$start" = 1 ]; then
    # Type=notify: this returns once agentd reported READY=1, or failed.
    systemctl enable --now agentd.service || {
        journalctl -u agentd.service -n 30 --no-pager >&2 || true
        die "agentd did not start (journal above; configuration in /etc/agentd/agentd.yaml)"
    }
else
    systemctl enable agentd.service
fi

cat <<EOF

agentd $(dpkg-query -W -f='${Version}' agentd) is installed$([ "$start" = 1 ] && echo " and running" || echo "; it starts at the next boot (or: systemctl start agentd)").

Next steps:
  usermod -aG agentd USER            let USER use agentctl (log in again afterwards)
  agentctl daemon status             Landlock ABI, seccomp, cgroups, CRIU on this host
  agentctl run /path/to/agent.yaml   run an agent; man agentctl for the rest
  /etc/agentd/agents/*.yaml          manifests started with agentd at every boot
  /etc/agentd/agentd.yaml            configuration (all defaults, commented);
                                     then: systemctl restart agentd (agents keep running)
  journalctl -u agentd               the daemon's log and audit records
EOF
