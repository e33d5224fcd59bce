import type { Server } from 'http';
import type { AddressInfo } from 'net';
import {
  AttributeValue, CreateTableCommand, CreateTableCommandInput, DeleteItemCommand, DynamoDBClient,
  GetItemCommand, ListTablesCommand, PutItemCommand, ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { Stack } from 'aws-cdk-lib';
import { gateCall } from './aws-calls';

/**
 * DynamoDB for tests and the demo: dynalite (npm `dynalite`, an implementation
 * of DynamoDB that validates requests as DynamoDB does, with its error
 * messages), in this process, on a free port of 127.0.0.1 only.
 *
 * While it runs:
 * - `AWS_ENDPOINT_URL_DYNAMODB` points the SDK at it, so the handlers' clients
 *   (`new DynamoDBClient({})`, default configuration) talk to it unchanged;
 * - every DynamoDB call of the code under test passes through the call gate
 *   (`aws-calls.ts`) first, as IAM sees a call before the service does;
 * - a request bound anywhere but this dynalite is refused before it is sent,
 *   so a test never reaches a real DynamoDB.
 *
 * dynalite has no TTL process: expired items stay readable, as they do in
 * DynamoDB until its background deletion gets to them (API reference,
 * UpdateTimeToLive: "typically within two days").
 *
 * Test helpers (`item`, `put`, `reset`...) go through an ordered queue that the
 * gated calls wait for, so `reset()` can be called synchronously (in a
 * `beforeEach`) and a read started in the middle of a run sees the table as it
 * was at that point.
 */

type Item = Record<string, AttributeValue>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number }) => Server;

/** The env this module sets while dynalite runs. */
const ENV = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/**
 * The CreateTable input of every DynamoDB table in a synthesized template, named
 * by logical id (what `run-pipeline.ts` resolves a table's Ref to): the same key
 * schema, attribute definitions and billing mode as the construct's table.
 */
export function tablesOf(template: { Resources?: Record<string, any> }): CreateTableCommandInput[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, r]) => ({
      TableName: logicalId,
      KeySchema: r.Properties.KeySchema,
      AttributeDefinitions: r.Properties.AttributeDefinitions,
      BillingMode: r.Properties.BillingMode ?? 'PROVISIONED',
      ProvisionedThroughput: r.Properties.ProvisionedThroughput,
    }));
}

/** `tablesOf` the synthesized template of `stack`. */
export function tablesOfStack(stack: Stack): CreateTableCommandInput[] {
  // Loaded here only: the CLI's `simulate` bundles this module, without the CDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
  return tablesOf(Template.fromStack(stack).toJSON());
}

let running: Dynalite | undefined;

export class Dynalite {
  /** Start dynalite on a free loopback port and route the SDK's DynamoDB calls to it. */
  static async start(): Promise<Dynalite> {
    if (running) throw new Error('Dynalite.start: dynalite is already running in this process; stop it first');
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    running = new Dynalite(server, (server.address() as AddressInfo).port);
    return running;
  }

  /** The endpoint, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Test-side client: its calls bypass the gate and the queue. */
  private readonly client: DynamoDBClient;
  private readonly savedEnv: Record<string, string | undefined>;
  private readonly originalSend = DynamoDBClient.prototype.send;
  private readonly guarded = new WeakSet<DynamoDBClient>();
  /** The tables known to exist (created by `createTables`, or listed). */
  private readonly tables = new Set<string>();
  private readonly ownSend = Object.prototype.hasOwnProperty.call(DynamoDBClient.prototype, 'send');
  private pending: Promise<unknown> = Promise.resolve();
  /** Why the last `reset()` failed: thrown at the next gated call. */
  private resetFailure: unknown;
  private stopped = false;

  private constructor(private readonly server: Server, private readonly port: number) {
    this.endpoint = `http://127.0.0.1:${port}`;
    this.savedEnv = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
    process.env.AWS_ENDPOINT_URL_DYNAMODB = this.endpoint;
    process.env.AWS_REGION ??= 'us-east-1';
    // dynalite checks that requests are signed, not by whom: never sign with real credentials.
    process.env.AWS_ACCESS_KEY_ID = 'ASIASIMULATED';
    process.env.AWS_SECRET_ACCESS_KEY = 'simulated';
    this.client = new DynamoDBClient({
      endpoint: this.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'ASIASIMULATED', secretAccessKey: 'simulated' },
    });
    const self = this;
    const send = this.originalSend;
    // Every client's calls: wait for the queued test operations, the gate, then dynalite.
    DynamoDBClient.prototype.send = function gatedSend(this: DynamoDBClient, command: any, ...rest: any[]) {
      if (rest.some((a) => typeof a === 'function')) throw new Error('Dynalite: callback-style send is not supported; await the promise');
      return (async () => {
        await self.pending.catch(() => undefined);
        if (self.resetFailure) throw self.resetFailure;
        self.guard(this);
        gateCall({ service: 'dynamodb', action: command.constructor.name.replace(/Command$/, ''), input: command.input });
        return (send as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
      })();
    } as any;
  }

  /** Create `tables` that do not exist yet (queued). */
  createTables(tables: CreateTableCommandInput[]): Promise<void> {
    return this.enqueue(async () => {
      if (tables.every((t) => this.tables.has(t.TableName!))) return;
      for (const name of (await this.call(new ListTablesCommand({}))).TableNames ?? []) this.tables.add(name);
      for (const t of tables) {
        if (this.tables.has(t.TableName!)) continue;
        await this.call(new CreateTableCommand(t));
        this.tables.add(t.TableName!);
      }
    });
  }

  /**
   * Make `tables` exist and be empty, before the next DynamoDB call (queued;
   * synchronous, for a `beforeEach`). A failure is thrown by the next gated call.
   */
  reset(tables: CreateTableCommandInput[]): void {
    this.resetFailure = undefined;
    const fail = (err: unknown) => { this.resetFailure ??= err; };
    this.createTables(tables).catch(fail);
    this.enqueue(async () => {
      for (const t of tables) {
        const keys = t.KeySchema!.map((k) => k.AttributeName!);
        const { Items = [] } = await this.call(new ScanCommand({ TableName: t.TableName, ConsistentRead: true }));
        for (const item of Items) {
          await this.call(new DeleteItemCommand({ TableName: t.TableName, Key: Object.fromEntries(keys.map((k) => [k, item[k]])) }));
        }
      }
    }).catch(fail);
  }

  /** The item of `table` with `key`, read (consistently) once every earlier call is done. */
  item(table: string, key: Item): Promise<Item | undefined> {
    return this.enqueue(async () => (await this.call(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item);
  }

  /** Put `item` into `table` as it is (no condition): the state another execution left. */
  put(table: string, item: Item): Promise<void> {
    return this.enqueue(async () => { await this.call(new PutItemCommand({ TableName: table, Item: item })); });
  }

  /** Every item of `table`. */
  items(table: string): Promise<Item[]> {
    return this.enqueue(async () => (await this.call(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []);
  }

  /** Stop dynalite, restore `send` and the environment. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.pending.catch(() => undefined);
    if (this.ownSend) DynamoDBClient.prototype.send = this.originalSend;
    else delete (DynamoDBClient.prototype as any).send;
    for (const [k, v] of Object.entries(this.savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    this.client.destroy();
    if (running === this) running = undefined;
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('Dynalite: stopped'));
    const next = this.pending.catch(() => undefined).then(op);
    this.pending = next;
    return next;
  }

  /** Send `command` with the test-side client, past the gate and the queue. */
  private call(command: unknown): Promise<any> {
    return (this.originalSend as (command: unknown) => Promise<any>).call(this.client, command);
  }

  /** Refuse, before it is sent, any request of `client` bound elsewhere than this dynalite. */
  private guard(client: DynamoDBClient): void {
    if (this.guarded.has(client)) return;
    this.guarded.add(client);
    client.middlewareStack.add((next) => async (args: any) => {
      const { hostname, port } = args.request ?? {};
      if (hostname !== '127.0.0.1' || Number(port) !== this.port) {
        throw new Error(`Dynalite: a DynamoDB request would go to ${hostname}:${port}, not to dynalite at ${this.endpoint}; `
          + 'create the client after Dynalite.start() and leave its endpoint to the environment');
      }
      return next(args);
    }, { step: 'finalizeRequest', name: 'dynaliteOnly' });
  }
}

/**
 * In a jest test file (call at its top level, or in a module it imports there):
 * dynalite starts before the file's tests and stops after them. Returns the
 * running instance's accessor.
 */
export function useDynalite(): () => Dynalite {
  let instance: Dynalite | undefined;
  beforeAll(async () => { instance = await Dynalite.start(); });
  afterAll(async () => { await instance?.stop(); instance = undefined; });
  return () => {
    if (!instance) throw new Error('useDynalite: dynalite runs only while the test file runs (from its beforeAll to its afterAll)');
    return instance;
  };
}
