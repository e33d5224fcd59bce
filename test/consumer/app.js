// The README's TypeScript example, as a consumer's plain JavaScript CDK app (no build step).
// Run by test/consumer/install-and-synth.sh in a scratch directory where the packed
// trapheus-cdk tarball is installed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { App, Duration, Stack } = require('aws-cdk-lib');
const { TrapheusRestore } = require('trapheus-cdk');

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'DbReset');
new TrapheusRestore(stack, 'Restore', {
  maxWait: Duration.hours(6),
  pollInterval: Duration.seconds(30),
});
const assembly = app.synth();

const template = assembly.getStackByName('DbReset').template;
const resources = Object.values(template.Resources);
assert.strictEqual(resources.filter((r) => r.Type === 'AWS::StepFunctions::StateMachine').length, 1, 'one state machine');
const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
assert.ok(functions.length > 0, 'the pipeline has functions');
// One code asset for every function, staged from the package's assets/handlers.
const codes = new Set(functions.map((f) => JSON.stringify(f.Properties.Code)));
assert.strictEqual(codes.size, 1, `the functions share one code asset, not ${codes.size}`);
const assets = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'DbReset.assets.json'), 'utf8'));
const zips = Object.values(assets.files).filter((f) => f.source.packaging === 'zip');
assert.strictEqual(zips.length, 1, 'one zip asset');
const staged = path.join(assembly.directory, zips[0].source.path);
for (const f of functions) {
  const entry = `${f.Properties.Handler.replace(/\.handler$/, '')}.mjs`;
  assert.ok(fs.existsSync(path.join(staged, entry)), `${f.Properties.Description}: ${entry} is in the staged asset`);
}
console.log(`synthesized DbReset: ${functions.length} functions on one ${zips[0].source.path}, one state machine`);
