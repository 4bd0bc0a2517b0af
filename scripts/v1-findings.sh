#!/bin/sh
# Writes tests/golden/v1-findings.json: the findings a build of `isms` from
# before version 2 reports on the example ISMS, with the example's [audit]
# table cut back to v1 keys, for each "stage2@as-of" variant below.
# tests/cycle.rs checks that today's tool reports the same v1 findings.
#
# Usage: scripts/v1-findings.sh OLD_ISMS_BINARY
# (build OLD_ISMS_BINARY from a commit before version 2, in its own
# checkout, and run this from the repository root).
set -eu
old=${1:?usage: scripts/v1-findings.sh OLD_ISMS_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=tests/golden/v1-findings.json
printf '{' > "$work/golden.json"
first=1
for variant in 2027-03-02@2027-02-15 2027-03-02@2027-06-01 2027-01-20@2027-01-16 \
    2027-04-15@2027-02-15 none@2027-02-15; do
    stage2=${variant%@*}
    as_of=${variant#*@}
    rm -rf "$work/repo"
    mkdir -p "$work/repo"
    cp -R example-isms "$work/repo/isms"
    rm -rf "$work/repo/isms/public"
    python3 - "$work/repo/isms/isms.toml" "$stage2" <<'PY'
import sys
path, stage2 = sys.argv[1], sys.argv[2]
out, in_audit = [], False
for line in open(path, encoding="utf-8").read().splitlines():
    if line.startswith("["):
        in_audit = line == "[audit]"
        out.append(line)
        if in_audit:
            out.append("stage1 = 2027-01-12")
            if stage2 != "none":
                out.append("stage2 = " + stage2)
        continue
    if not in_audit:
        out.append(line)
open(path, "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
    (cd "$work/repo" && git init -q && git add -A &&
        git -c user.name=Test -c user.email=test@example.com commit -qm import)
    "$old" check "$work/repo/isms" --as-of "$as_of" --format json > "$work/out.json" || true
    [ $first = 1 ] || printf ',' >> "$work/golden.json"
    first=0
    python3 - "$work/out.json" "$variant" >> "$work/golden.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1], encoding="utf-8"))["findings"]
sys.stdout.write(json.dumps(sys.argv[2]) + ":" + json.dumps(findings, ensure_ascii=False))
PY
done
printf '}' >> "$work/golden.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1],encoding="utf-8")); open(sys.argv[2],"w",encoding="utf-8").write(json.dumps(d,indent=1,ensure_ascii=False)+"\n")' "$work/golden.json" "$out"
echo "wrote $out"
