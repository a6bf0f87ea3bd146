# Sourced by the scripts and the end-to-end tests (scripts/*.sh, tb/*/*.sh): strict mode, the
# repository and build folders, a scratch folder removed on exit, and one-line errors.
#   REPO   the repository root
#   BUILD  the build folder ($SSNN_BUILD, default <repo>/build)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SSNN_BUILD:-$REPO/build}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

# die MESSAGE: "<script>: MESSAGE" on stderr and exit status 2 (bad usage, missing tool).
die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# need_executable FILE...: dies naming the first that is not an executable.
need_executable() {
  local f
  for f in "$@"; do [[ -x "$f" ]] || die "$f: no such executable"; done
}

# make_tmp: TMP, a new folder removed when the script exits.
make_tmp() {
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT
}

# positional NAME[=DEFAULT]... -- "$@": sets each NAME to the argument in its place, or to DEFAULT
# where the caller gave fewer; a NAME without =DEFAULT is required (dies naming it). The arguments
# after the named ones are left in the array REST.
positional() {
  local _specs=() _spec _name
  while [[ $# -gt 0 && "$1" != -- ]]; do _specs+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  for _spec in "${_specs[@]}"; do
    _name="${_spec%%=*}"
    if [[ $# -gt 0 ]]; then
      printf -v "$_name" '%s' "$1"
      shift
    elif [[ "$_spec" == *=* ]]; then
      printf -v "$_name" '%s' "${_spec#*=}"
    else
      die "missing argument $_name (usage: see the header of $(basename "$0"))"
    fi
  done
  REST=("$@")
}
