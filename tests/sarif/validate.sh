#!/usr/bin/env bash
# Validates `isms check --format sarif` with Microsoft's SARIF multitool and
# its GitHub rules (`--rule-kind "Gh;Sarif"`), the checks code scanning
# applies on upload: on the example ISMS (no findings) and on a copy with
# findings of every severity, in a subfolder of its repository so that paths
# must be relative to the repository root.
#
# Usage: tests/sarif/validate.sh PATH/TO/isms   (after `npm ci --prefix tests/sarif`)
set -euo pipefail

isms="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
tool="$here/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -e "$tool" ]; then
  echo "the SARIF multitool is not installed: run npm ci --prefix tests/sarif" >&2
  exit 2
fi
# npm does not run the package's install script, which makes it executable.
chmod u+x "$tool"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A repository holding the example ISMS in a subfolder, committed at a fixed time.
mkrepo() {
  local dir="$1"
  mkdir -p "$dir"
  cp -r "$repo_root/example-isms" "$dir/isms"
  rm -rf "$dir/isms/public"
  git -C "$dir" init -q
  git -C "$dir" add -A
  GIT_AUTHOR_DATE="2026-06-01T09:00:00Z" GIT_COMMITTER_DATE="2026-06-01T09:00:00Z" \
    git -C "$dir" -c user.name="Priya Shah" -c user.email=priya@example.com commit -qm "Import the ISMS"
}

validate() {
  local name="$1" sarif="$2" expect_results="$3"
  local log="$work/$name.validation.txt"
  "$tool" validate "$sarif" --rule-kind "Gh;Sarif" >"$log" 2>&1 || true
  if grep -E ": error [A-Z]+[0-9]+:" "$log"; then
    echo "SARIF of $name: validation errors (above)" >&2
    exit 1
  fi
  if ! grep -q "Analysis completed successfully" "$log"; then
    cat "$log" >&2
    echo "SARIF of $name: the validator did not complete" >&2
    exit 1
  fi
  local results
  results="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$sarif")"
  if [ "$results" -lt "$expect_results" ]; then
    echo "SARIF of $name: $results results, expected at least $expect_results" >&2
    exit 1
  fi
  echo "SARIF of $name: valid, $results result(s)"
}

# 1. The example: no findings.
mkrepo "$work/clean"
set +e
"$isms" check "$work/clean/isms" --as-of 2027-02-15 --format sarif >"$work/clean.sarif"
status=$?
set -e
[ "$status" -eq 0 ] || { echo "isms check of the example exited $status" >&2; exit 1; }
validate example "$work/clean.sarif" 0

# 2. Findings of every severity: an input error (a bad date), majors (no
# SoA), minors (a body edited after approval) and an observation (an
# uncommitted change).
mkrepo "$work/broken"
b="$work/broken/isms"
rm "$b/soa/statement-of-applicability.md"
printf '\nA sentence added after approval.\n' >>"$b/policies/acceptable-use.md"
GIT_AUTHOR_DATE="2026-06-02T09:00:00Z" GIT_COMMITTER_DATE="2026-06-02T09:00:00Z" \
  git -C "$work/broken" -c user.name="Priya Shah" -c user.email=priya@example.com commit -qam "Edit without approval"
sed -i 's/^status: approved$/status: approved\nnext_review: 2027-02-30/' "$b/policies/cryptography.md"
set +e
"$isms" check "$b" --as-of 2027-02-15 --format sarif >"$work/broken.sarif"
status=$?
set -e
[ "$status" -eq 2 ] || { echo "isms check of the broken copy exited $status, expected 2" >&2; exit 1; }
python3 - "$work/broken.sarif" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
levels = {r["level"] for r in run["results"]}
severities = {r["properties"]["severity"] for r in run["results"]}
missing = {"error", "major", "minor", "observation"} - severities
assert not missing, f"no result of severity {missing}"
assert levels == {"error", "warning", "note"}, levels
for r in run["results"]:
    uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("isms/"), f"{uri} is not relative to the repository root"
rules = run["tool"]["driver"]["rules"]
assert all(r["fullDescription"]["text"] and r["help"]["text"] for r in rules)
print(f"SARIF of the broken copy: {len(run['results'])} results of every severity, paths from the repository root")
PY
validate "broken copy" "$work/broken.sarif" 4
