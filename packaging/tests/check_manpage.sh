#!/usr/bin/env bash
# The man page and `mongocryptd --help` must list the same long options.
set -euo pipefail
bin=$1; page=$2
help_opts=$("$bin" --help | grep -oE -- '--[A-Za-z_][A-Za-z0-9_]*' | sort -u)
# In roff, options are written with an escaped dash: \-\-name.
page_opts=$(grep -oE -- '\\-\\-[A-Za-z_][A-Za-z0-9_]*' "$page" | sed 's/\\//g' | sort -u)
missing_in_page=$(comm -23 <(echo "$help_opts") <(echo "$page_opts"))
missing_in_help=$(comm -13 <(echo "$help_opts") <(echo "$page_opts"))
status=0
if [ -n "$missing_in_page" ]; then echo "in --help but not in the man page:"; echo "$missing_in_page"; status=1; fi
if [ -n "$missing_in_help" ]; then echo "in the man page but not in --help:"; echo "$missing_in_help"; status=1; fi
[ $status -eq 0 ] && echo "man page and --help agree on $(echo "$help_opts" | wc -l) options"
exit $status
