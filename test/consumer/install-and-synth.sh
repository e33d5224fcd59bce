#!/usr/bin/env bash
# A new user's first minutes, before the first release: install the packed tarball
# (dist/js/trapheus-cdk@*.jsii.tgz, from `npx projen package:js`) into a fresh CDK app,
# with the aws-cdk-lib and constructs versions the package asks for, and synthesize the
# README's example (test/consumer/app.js). Run by `npx projen test:consumer` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
tgz=$(ls dist/js/trapheus-cdk@*.jsii.tgz 2>/dev/null | head -1 || true)
if [ -z "$tgz" ]; then
  echo "dist/js/trapheus-cdk@*.jsii.tgz is missing: run \`npx projen package:js\` (or \`npx projen build\`) first" >&2
  exit 1
fi
peer() { node -p "require('./package.json').peerDependencies['$1'].replace(/^\\^/, '')"; }
cdk=$(peer aws-cdk-lib)
constructs=$(peer constructs)
app=$(mktemp -d)
trap 'rm -rf "$app"' EXIT
cp "$tgz" test/consumer/app.js "$app/"
cd "$app"
echo '{ "name": "consumer-app", "version": "1.0.0", "private": true }' > package.json
echo "installing $(basename "$tgz") with aws-cdk-lib@$cdk and constructs@$constructs into $app"
npm install --prefer-offline --no-audit --no-fund --loglevel=error "./$(basename "$tgz")" "aws-cdk-lib@$cdk" "constructs@$constructs"
node app.js
