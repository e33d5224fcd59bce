/**
 * Bundles the `trapheus-cdk` command into bin/trapheus-cdk.js, one file with
 * everything it uses (task `bundle:cli`):
 *   ts-node --project tsconfig.dev.json --transpile-only cli/bundle.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { build, Plugin } from 'esbuild';

const ROOT = path.join(__dirname, '..');
export const OUTFILE = path.join(ROOT, 'bin', 'trapheus-cdk.js');

/**
 * dynalite loads its actions and validations with `require('./actions/' + name)`.
 * esbuild bundles every file that pattern can match, keyed by file name with
 * its extension: add the extension, so the names are found in the bundle.
 */
const dynaliteRequires: Plugin = {
  name: 'dynalite-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]dynalite[\\/]index\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const contents = source
        .replace('require(\'./actions/\' + action)', 'require(\'./actions/\' + action + \'.js\')')
        .replace('require(\'./validations/\' + action)', 'require(\'./validations/\' + action + \'.js\')');
      if (contents === source) throw new Error('cli/bundle.ts: dynalite no longer loads its actions as expected; check the bundle');
      return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/** What must never be in the bundle: the CDK (consumers have their own) and the AGPL IAM simulator (dev-only). */
const FORBIDDEN = /node_modules\/(aws-cdk-lib|constructs|@cloud-copilot\/iam-simulate)\//;

build({
  absWorkingDir: ROOT,
  metafile: true,
  entryPoints: ['cli/trapheus-cdk.ts'],
  outfile: OUTFILE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'eof',
  logLevel: 'error',
  banner: { js: '#!/usr/bin/env node' },
  // dynalite keeps DynamoDB in memory here; its LevelDB backend is native code, never loaded.
  alias: { level: './cli/sim/level-stub.ts' },
  // The simulator loads the CDK only for tests that start from a Stack (tablesOfStack); the CLI reads templates.
  external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
  plugins: [dynaliteRequires],
}).then((result) => {
  const forbidden = Object.keys(result.metafile.inputs).filter((input) => FORBIDDEN.test(input));
  if (forbidden.length > 0) throw new Error(`cli/bundle.ts: the CLI bundle must not include ${forbidden.slice(0, 5).join(', ')}`);
  fs.chmodSync(OUTFILE, 0o755);
}).catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
