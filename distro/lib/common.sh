# Shared by distro/build, distro/vm and distro/test (sourced, not run).
# shellcheck shell=bash

distro_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo_dir=$(cd "$distro_dir/.." && pwd)

# Where images are cached: outside the clone, shared by every checkout.
cache_root=${AGENTD_DISTRO_CACHE:-/var/cache/agentd-distro}

t0=${t0:-$(date +%s)}
log() { printf '%s [%4ss] %s\n' "${prog:-distro}:" "$(($(date +%s) - t0))" "$*" >&2; }
die() { printf '%s error: %s\n' "${prog:-distro}:" "$*" >&2; exit 1; }

# Installs the Debian packages named (as "command:package" pairs) whose
# command is missing. Runs apt-get update once, only when something is missing.
need_host_tools() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run as root or apt-get install them"
    log "installing host tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# sha256 of a list of files and directories (paths relative to the repo and
# contents), stable across clones: the cache key of a recipe.
tree_hash() {
    (cd "$repo_dir" && find "$@" -type f ! -name '*.md' -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum | sha256sum | cut -c1-16)
}

# sha256 of what a .deb installs, ignoring what changes with every rebuild of
# the same sources (file and jar-entry timestamps): two builds of one commit
# give the same hash, so a fresh clone hits the image cache.
deb_content_hash() {
    python3 - "$1" <<'PY'
import hashlib, io, os, subprocess, sys, tarfile, tempfile, zipfile
deb = sys.argv[1]
h = hashlib.sha256()
with tempfile.TemporaryDirectory() as d:
    subprocess.run(["dpkg-deb", "-R", deb, d], check=True)
    for root, dirs, files in os.walk(d):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            rel = os.path.relpath(p, d)
            if rel == "DEBIAN/md5sums":
                continue  # follows the jars' bytes, timestamps included
            h.update(rel.encode() + b"\0")
            if os.path.islink(p):
                h.update(os.readlink(p).encode())
                continue
            h.update(oct(os.stat(p).st_mode).encode())
            if rel.endswith(".jar") and zipfile.is_zipfile(p):
                with zipfile.ZipFile(p) as z:
                    for i in sorted(z.infolist(), key=lambda i: i.filename):
                        if i.filename.endswith("pom.properties"):
                            continue  # carries a build timestamp
                        h.update(f"{i.filename}:{i.CRC}:{i.file_size}\n".encode())
            else:
                with open(p, "rb") as fh:
                    h.update(fh.read())
print(h.hexdigest()[:16])
PY
}
