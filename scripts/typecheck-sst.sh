#!/usr/bin/env bash
# Type-checks sst.config.ts and stacks/ without an AWS account: `sst install` fetches the provider
# types (it needs bun, which the `bun` npm package provides), then tsc checks against them.
# `sst deploy` itself needs AWS credentials and Pulumi, neither of which CI has.
set -euo pipefail
cd "$(dirname "$0")/.."
export SST_SKIP_DEPENDENCY_CHECK=1 SST_TELEMETRY_DISABLED=1 SST_STAGE="${SST_STAGE:-ci}"
export SST_BUN_PATH="$PWD/node_modules/bun/bin/bun.exe"
[ -f .sst/platform/config.d.ts ] || sst install
tsc -p tsconfig.sst.json
