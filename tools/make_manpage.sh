#!/bin/sh
# Regenerates docs/tqa.1 from the command definitions, with swift-argument-parser's
# generate-manual plugin (part of the resolved dependency: nothing is downloaded). Builds debug.
#   tools/make_manpage.sh [YYYY-MM-DD]    (default date: today)
# HelpCLITests.manPageIsUpToDate checks the committed page against this build.
set -eu
cd "$(dirname "$0")/.."
date=${1:-$(date -u +%Y-%m-%d)}
swift package plugin generate-manual --configuration debug --date "$date"
cp .build/plugins/GenerateManual/outputs/tqa/tqa.1 docs/tqa.1
echo "wrote docs/tqa.1 (man -l docs/tqa.1)"
