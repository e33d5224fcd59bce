import * as fs from 'fs';
import * as path from 'path';
import { Component, SourceCode } from 'projen';
import { TypeScriptProject } from 'projen/lib/typescript';

/** Where the shared handler bundle goes, relative to the project root; shipped in the npm package. */
export const HANDLER_ASSET_DIR = 'assets/handlers';

export interface HandlerBundleOptions {
  /** Directory holding the handlers, one `<name>.lambda.ts` each. */
  readonly sourceDir: string;
  /** Directory the function constructs are written to, one `<name>-function.ts` each. */
  readonly constructDir: string;
}

/**
 * All the Lambda handlers in ONE asset directory, built by one esbuild run with every handler as
 * an entry point and code splitting (ES modules, `.mjs`): the AWS SDK code two handlers share sits
 * once in a chunk under `chunks/`, instead of once per function. Every function uses the same
 * directory (CDK stages and uploads one asset) and its own entry (`<name>.handler`).
 *
 * The SDK stays bundled (nothing external): the pinned version the tests run is the one Lambda
 * runs. `--main-fields=module,main` takes each package's ES module build (same version, same
 * code as its CommonJS build), which splits and tree-shakes better.
 *
 * Each handler also gets a generated construct, `<Name>Function`, described as
 * `lambda-src/<name>.lambda.ts`: test/sim/run-pipeline.ts maps a state machine task to its
 * handler source through that description.
 */
export class HandlerBundle extends Component {
  /** The handler names (`apply-config`, `capture`, ...), sorted. */
  public readonly handlers: string[];

  constructor(project: TypeScriptProject, options: HandlerBundleOptions) {
    super(project);
    this.handlers = fs.readdirSync(path.join(project.outdir, options.sourceDir))
      .filter((f) => f.endsWith('.lambda.ts'))
      .map((f) => f.replace(/\.lambda\.ts$/, ''))
      .sort();

    const entries = this.handlers.map((name) => `${name}=${options.sourceDir}/${name}.lambda.ts`);
    const task = project.addTask('bundle:handlers', {
      description: `Bundle every handler of ${options.sourceDir}/ into ${HANDLER_ASSET_DIR}/ (one esbuild run, shared chunks)`,
      steps: [
        // Chunk names carry content hashes: start from an empty assets/ so no stale chunk
        // (or an asset directory of an older layout) is shipped or hashed into the asset.
        { exec: 'node -e "require(\'fs\').rmSync(\'assets\', { recursive: true, force: true })"' },
        {
          exec: [
            'esbuild', ...entries,
            '--bundle', '--splitting', '--format=esm', '--platform=node', '--target=node22',
            '--main-fields=module,main',
            `--outdir=${HANDLER_ASSET_DIR}`, '--out-extension:.js=.mjs', "'--chunk-names=chunks/[name]-[hash]'",
            '--tsconfig=tsconfig.dev.json', '--minify', '--legal-comments=eof', '--log-level=warning',
          ].join(' '),
        },
      ],
    });
    project.bundler.bundleTask.spawn(task);

    for (const name of this.handlers) {
      this.writeConstruct(project, options, name);
    }
  }

  private writeConstruct(project: TypeScriptProject, options: HandlerBundleOptions, name: string) {
    const className = name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('') + 'Function';
    const file = path.join(options.constructDir, `${name}-function.ts`);
    const assetDir = path.relative(options.constructDir, HANDLER_ASSET_DIR).split(path.sep).join('/');
    const src = new SourceCode(project, file);
    src.line(`// ${src.marker}`);
    src.line("import * as path from 'path';");
    src.line("import * as lambda from 'aws-cdk-lib/aws-lambda';");
    src.line("import { Construct } from 'constructs';");
    src.line('');
    src.line('/**');
    src.line(` * Props for ${className}`);
    src.line(' */');
    src.open(`export interface ${className}Props extends lambda.FunctionOptions {`);
    src.close('}');
    src.line('');
    src.line('/**');
    src.line(` * An AWS Lambda function which executes ${options.sourceDir}/${name}: the \`${name}\` entry of the`);
    src.line(` * shared handler bundle (${HANDLER_ASSET_DIR}, one asset for all the functions).`);
    src.line(' */');
    src.open(`export class ${className} extends lambda.Function {`);
    src.open(`constructor(scope: Construct, id: string, props?: ${className}Props) {`);
    src.open('super(scope, id, {');
    src.line(`description: '${options.sourceDir}/${name}.lambda.ts',`);
    src.line('...props,');
    src.line("runtime: new lambda.Runtime('nodejs22.x', lambda.RuntimeFamily.NODEJS),");
    src.line(`handler: '${name}.handler',`);
    src.line(`code: lambda.Code.fromAsset(path.join(__dirname, '${assetDir}')),`);
    src.close('});');
    src.line("this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });");
    src.close('}');
    src.close('}');
  }
}
