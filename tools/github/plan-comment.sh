#!/bin/bash
# The GitHub Action's comment step (action.yml): puts the markdown parts of
# a plan (DIR/plan-*.md, in order) on pull request PR as comments that the
# next push updates instead of adding to. A hidden marker on the first line
# finds them again: "<!-- userprune-plan[ KEY] part N -->". A plan that
# fits in one comment (under 65,000 characters) is one comment; a larger
# one takes a comment per part, and parts left over from a larger plan
# before are deleted. KEY tells several plans on one pull request apart
# (shards, workflows).
#
# usage: plan-comment.sh DIR PR [KEY]     (gh, GH_TOKEN, GITHUB_REPOSITORY)
set -euo pipefail
dir=$1
pr=$2
key=${3:-}
repo=${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}
tag="userprune-plan${key:+ $key}"

# plan-001.md, plan-002.md, ... (zero-padded; sort -V also puts
# an older plan-10.md after plan-9.md)
mapfile -t parts < <(find "$dir" -maxdepth 1 -name 'plan-*.md' | sort -V)
if [ ${#parts[@]} -eq 0 ]; then
	echo "userprune: no plan-*.md in '$dir'" >&2
	exit 1
fi

# our comments on the pull request: first line -> id
declare -A have=()
while IFS=$'\t' read -r id first; do
	[[ $first == "<!-- $tag part "*" -->" ]] && have[$first]=$id
done < <(gh api --paginate "repos/$repo/issues/$pr/comments" \
	--jq '.[] | [(.id | tostring), (.body | split("\n") | .[0])] | @tsv')

body=$(mktemp)
trap 'rm -f "$body"' EXIT
n=0
for part in "${parts[@]}"; do
	n=$((n + 1))
	marker="<!-- $tag part $n -->"
	python3 -c 'import json, sys
text = open(sys.argv[2], encoding="utf-8").read()
json.dump({"body": sys.argv[1] + "\n" + text}, sys.stdout)' \
		"$marker" "$part" >"$body"
	if [ -n "${have[$marker]:-}" ]; then
		gh api -X PATCH "repos/$repo/issues/comments/${have[$marker]}" \
			--input "$body" >/dev/null
		echo "userprune: updated the plan comment, part $n"
		unset "have[$marker]"
	else
		gh api -X POST "repos/$repo/issues/$pr/comments" \
			--input "$body" >/dev/null
		echo "userprune: posted the plan comment, part $n"
	fi
done
# parts a larger plan had before
for marker in "${!have[@]}"; do
	gh api -X DELETE "repos/$repo/issues/comments/${have[$marker]}" >/dev/null
	echo "userprune: deleted a plan comment no longer needed ($marker)"
done
