import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Cutover, TrapheusRestore } from '../src';

/**
 * The npm package as consumers get it: the handler bundle (assets/, built by `npx projen bundle`,
 * which the test task runs first), what it weighs, what each function loads, and what the
 * tarball holds.
 */
const root = path.join(__dirname, '..');
const assets = path.join(root, 'assets');
const bundleDir = path.join(assets, 'handlers');
const handlers = fs.readdirSync(path.join(root, 'lambda-src'))
  .filter((f) => f.endsWith('.lambda.ts'))
  .map((f) => f.replace(/\.lambda\.ts$/, ''))
  .sort();

/** The issue-12 budget for all the handler assets in the npm package. */
const ASSET_BUDGET = 1024 * 1024;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]);
}

// Relative ES module imports in esbuild's minified output: `import{a as b}from"./chunks/x.mjs"`,
// `import"./x.mjs"` (static, loaded before the handler runs) and `import("./x.mjs")` (lazy).
const STATIC_IMPORT = /(?:^|[;}\s])import\s*(?:[\w$*{},\s]*?from\s*)?["'](\.\.?\/[^"']+)["']/g;

/** The files a function loads at a cold start: its entry and every chunk it imports statically. */
function coldStartFiles(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const m of fs.readFileSync(entry, 'utf8').matchAll(STATIC_IMPORT)) {
    coldStartFiles(path.resolve(path.dirname(entry), m[1]), seen);
  }
  return seen;
}

function coldStartBytes(name: string): number {
  return [...coldStartFiles(path.join(bundleDir, `${name}.mjs`))].reduce((sum, f) => sum + fs.statSync(f).size, 0);
}

/** Runs an ES module script in a separate node (jest's CommonJS loader cannot import .mjs). */
function runModule(script: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env: { ...process.env, ...env } },
      (err, stdout, stderr) => err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout));
  });
}

beforeAll(() => {
  if (!fs.existsSync(bundleDir)) throw new Error(`${bundleDir} is missing: run \`npx projen bundle\` first (the test task does).`);
});

describe('handler assets', () => {
  test('weigh at most 1 MB in total', () => {
    const total = filesUnder(assets).reduce((sum, f) => sum + fs.statSync(f).size, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(ASSET_BUDGET);
  });

  test('are one directory with an entry per handler and its shared chunks, nothing else', () => {
    expect(fs.readdirSync(assets)).toEqual(['handlers']);
    const entries = fs.readdirSync(bundleDir).filter((f) => f.endsWith('.mjs')).sort();
    expect(entries).toEqual(handlers.map((h) => `${h}.mjs`));
    const others = filesUnder(bundleDir).map((f) => path.relative(bundleDir, f)).filter((f) => !entries.includes(f));
    expect(others.length).toBeGreaterThan(0);
    for (const f of others) expect(f).toMatch(/^chunks\/[\w-]+\.mjs$/);
  });

  test('each function loads at most 400 KB at a cold start (its entry and the chunks it imports)', () => {
    // 6.5 MB were bundled before (every function 577-668 KB); today 5-310 KB each: a function
    // above 400 KB means a chunk it does not need was pulled into its import graph.
    for (const name of handlers) {
      const bytes = coldStartBytes(name);
      expect({ name, bytes, ok: bytes <= 400 * 1024 }).toEqual({ name, bytes, ok: true });
    }
  });

  test('every bundled handler module loads in node and exports handler', async () => {
    const out = await runModule(`
      const names = ${JSON.stringify(handlers)};
      const result = {};
      for (const n of names) result[n] = typeof (await import('./assets/handlers/' + n + '.mjs')).handler;
      console.log(JSON.stringify(result));`);
    expect(JSON.parse(out)).toEqual(Object.fromEntries(handlers.map((h) => [h, 'function'])));
  });

  test('the bundled SDK signs and sends an RDS request and reads the answer (check-status against a local endpoint)', async () => {
    const requests: { auth?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        requests.push({ auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult><DBInstances><DBInstance>
    <DBInstanceIdentifier>orders-db</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus><DbiResourceId>db-ORDERS</DbiResourceId>
  </DBInstance></DBInstances></DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const event = {
        subject: 'DB instance',
        resource: 'instance',
        identifier: 'orders-db',
        until: 'available',
        wait: { elapsed: 0, interval: 30 },
        policy: { first: 30, max: 300, rate: 2, maxWait: 3600 },
      };
      const out = await runModule(`
        const { handler } = await import('./assets/handlers/check-status.mjs');
        console.log(JSON.stringify(await handler(${JSON.stringify(event)})));`, {
        AWS_ENDPOINT_URL_RDS: `http://127.0.0.1:${port}`,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: path.join(root, 'no-such-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'no-such-aws-credentials'),
        TRAPHEUS_LOG: 'off',
      });
      expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ status: 'available' });
      expect(requests).toHaveLength(1);
      expect(new URLSearchParams(requests[0].body).get('Action')).toBe('DescribeDBInstances');
      expect(new URLSearchParams(requests[0].body).get('DBInstanceIdentifier')).toBe('orders-db');
      expect(requests[0].auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/rds\/aws4_request/);
    } finally {
      server.close();
    }
  });

  test('the bundled DNS function\'s SDK signs and sends a Route 53 request and reads the answer (GetChange against a local endpoint)', async () => {
    const requests: { method?: string; url?: string; auth?: string }[] = [];
    const server = http.createServer((req, res) => {
      requests.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<?xml version="1.0"?>
<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>INSYNC</Status>
<SubmittedAt>2026-01-09T08:00:00.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const event = { op: 'change', subject: 'DNS record switch', changeId: '/change/C2682N5HXP0BZ4', wait: { elapsed: 0, interval: 10 } };
      const out = await runModule(`
        const { handler } = await import('./assets/handlers/dns.mjs');
        console.log(JSON.stringify(await handler(${JSON.stringify(event)})));`, {
        AWS_ENDPOINT_URL_ROUTE_53: `http://127.0.0.1:${port}`,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        AWS_SESSION_TOKEN: '',
        TRAPHEUS_LOG: 'off',
      });
      expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ done: true, status: 'INSYNC', elapsed: 10, interval: 15 });
      // a custom endpoint is signed for the client's Region (AWS's own Route 53 endpoint, for us-east-1)
      const signature = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/route53\/aws4_request, SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*, Signature=[0-9a-f]{64}$/;
      expect(requests).toEqual([{ method: 'GET', url: '/2013-04-01/change/C2682N5HXP0BZ4', auth: expect.stringMatching(signature) }]);
    } finally {
      server.close();
    }
  });
});

describe('the functions of a TrapheusRestore', () => {
  test('share one code asset, each with its own entry in it', () => {
    const stack = new Stack(new App(), 'Stack');
    // with exportTo and a DNS alias, so that the optional export and DNS functions are there too
    new TrapheusRestore(stack, 'Restore', {
      exportTo: { bucket: new s3.Bucket(stack, 'Exports'), key: new kms.Key(stack, 'ExportKey') },
      cutover: Cutover.dnsAlias({
        hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0ZONE', zoneName: 'example.internal' }),
        recordName: 'orders-db',
      }),
    });
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .filter((f) => /^lambda-src\//.test(f.Properties.Description ?? ''));
    expect(fns.map((f) => /^lambda-src\/([\w-]+)\.lambda\.ts$/.exec(f.Properties.Description)![1]).sort()).toEqual(handlers);
    for (const f of fns) {
      const name = /^lambda-src\/([\w-]+)\.lambda\.ts$/.exec(f.Properties.Description)![1];
      expect(f.Properties.Handler).toBe(`${name}.handler`);
    }
    expect(new Set(fns.map((f) => JSON.stringify(f.Properties.Code))).size).toBe(1);
  });
});

describe('the npm tarball', () => {
  // `npm pack --dry-run` lists what `npm publish` would upload (.npmignore applied); lib/ and
  // .jsii exist only after `npx projen compile`, so they are not required here.
  let packed: string[];
  beforeAll(() => {
    packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0]
      .files.map((f: { path: string }) => f.path);
  });

  test('holds the handler bundle, the README and the licence', () => {
    for (const f of filesUnder(assets)) expect(packed).toContain(path.relative(root, f).split(path.sep).join('/'));
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'API.md']));
  });

  test('holds no CI script, tests, handler sources, demo, TypeScript sources or build configuration', () => {
    const unwanted = packed.filter((f) => /^(\.ci|test|lambda-src|demo|src|projenrc|\.projen|cdk\.out|dist)\//.test(f)
      || /^(\.projenrc\.ts|tsconfig\.dev\.json|\.eslintrc\.json|\.gitignore|\.npmignore)$/.test(f) || f.endsWith('.tgz'));
    expect(unwanted).toEqual([]);
  });
});

describe('the release flow', () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks;

  test('bumps from conventional commits, packages every language, keeps CHANGELOG.md, and is not part of the build', () => {
    expect(tasks.release.steps.map((s: { spawn?: string }) => s.spawn).filter(Boolean)).toEqual(['bump', 'build', 'package-all', 'unbump', 'publish:git']);
    // under CI the build packages JavaScript only: the release packages the rest
    const packageAll = tasks.release.steps.find((s: { spawn?: string }) => s.spawn === 'package-all');
    expect(packageAll.condition).toBe(tasks.package.steps.find((s: { spawn?: string }) => s.spawn === 'package:js').condition);
    expect(tasks.bump.env.BUMP_PACKAGE).toMatch(/^commit-and-tag-version@/);
    expect(tasks['publish:git'].env.PROJECT_CHANGELOG_FILE).toBe('CHANGELOG.md');
    const spawned = (name: string): string[] => (tasks[name].steps ?? [])
      .flatMap((s: { spawn?: string }) => s.spawn ? [s.spawn, ...spawned(s.spawn)] : []);
    expect(spawned('build').filter((t) => /^(release|bump|publish)/.test(t))).toEqual([]);
  });

  test.each([
    ['npm', 'publib-npm', 'NPM_TOKEN'],
    ['pypi', 'publib-pypi', 'TWINE_PASSWORD'],
    ['maven', 'publib-maven', 'MAVEN_PASSWORD'],
    ['nuget', 'publib-nuget', 'NUGET_API_KEY'],
    ['golang', 'publib-golang', 'GITHUB_TOKEN'],
  ])('publish:%s uploads dist/ with %s and needs %s', (target, command, secret) => {
    const task = tasks[`publish:${target}`];
    expect(task).toBeDefined();
    expect(task.steps.some((s: { execArgs?: string[] }) => s.execArgs?.includes(command))).toBe(true);
    expect(task.requiredEnv).toContain(secret);
  });
});
