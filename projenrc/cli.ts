import { awscdk } from 'projen';

/** Where the bundled CLI lands (gitignored, shipped in the npm package as its `bin`). */
export const CLI_BUNDLE = 'bin/trapheus-cdk.js';

/**
 * The `trapheus-cdk` command (cli/): its dependencies, its type-check and lint,
 * and its esbuild bundle.
 *
 * The CLI is bundled, so its libraries are devDependencies: consumers get one
 * self-contained file and no runtime dependencies (see the README, "Command line").
 * The bundle includes the in-memory simulator (test/sim/) and the handlers
 * (lambda-src/) for `simulate`; `test/` itself is not shipped.
 */
export function addCli(project: awscdk.AwsCdkConstructLibrary): void {
  project.addDevDeps(
    // commander 15 needs Node 22.12; 14 supports Node 20.
    'commander@^14',
    'cli-progress@^3.12',
    '@types/cli-progress@^3',
    '@aws-sdk/client-cloudformation@^3',
  );
  project.tsconfigDev.addInclude('cli/**/*.ts');
  project.eslint?.addLintPattern('cli');
  project.eslint?.allowDevDeps('cli/**');

  const bundle = project.addTask('bundle:cli', {
    description: 'Bundle the trapheus-cdk command (cli/) into one file',
    exec: 'ts-node --project tsconfig.dev.json --transpile-only cli/bundle.ts',
  });
  project.tasks.tryFind('bundle')!.spawn(bundle);
  project.addBins({ 'trapheus-cdk': CLI_BUNDLE });
  project.gitignore.exclude('/bin/');
  project.npmignore?.include(`/${CLI_BUNDLE}`);
  project.npmignore?.exclude('/cli/');
}
