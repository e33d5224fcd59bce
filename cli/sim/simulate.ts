import { DatabaseSpec, seedDatabase } from './database';
import { processDynalite } from './dynalite';
import { HANDLERS } from './handlers';
import { AwsSims } from '../../test/sim/aws-sims';
import { tablesOf } from '../../test/sim/dynamo';
import { RdsSimulator } from '../../test/sim/rds-sim';
import { Route53Simulator } from '../../test/sim/route53';
import { definitionFromTemplate, RunResult, runDefinition } from '../../test/sim/template-pipeline';

export interface SimulateInput {
  /** The synthesized CloudFormation template (JSON). */
  readonly template: { Resources?: Record<string, any> };
  /** The state machine's logical id in the template. */
  readonly stateMachine: string;
  readonly database: DatabaseSpec;
  readonly task: string;
}

export interface Simulation {
  readonly result: RunResult;
  /** What was generated, in a line. */
  readonly seeded: string;
  /**
   * When the database's endpoint was unreachable, in simulated seconds from the start; with a DNS alias
   * (Cutover.dnsAlias()), when the record's name may have resolved to a database that did not answer.
   */
  readonly downtime: { from: number; to: number; seconds: number }[];
  /** Alerts the pipeline sent: SNS messages, emails, and Slack posts (recorded, not sent). */
  readonly alerts: { sns: number; email: number; slack: number };
}

/**
 * One execution of the template's state machine, offline: the handlers shipped
 * with this package (lambda-src, bundled into the CLI), the in-memory RDS on a
 * simulated clock, SES/SNS/Secrets Manager/Step Functions in memory, DynamoDB
 * (the restore lock) in dynalite on 127.0.0.1, and Slack webhooks recorded
 * instead of called. Nothing reaches AWS or the network.
 *
 * Simulations of one process share its dynalite (`dynalite.ts`).
 */
export async function simulate(input: SimulateInput): Promise<Simulation> {
  const definition = definitionFromTemplate(input.template, { stateMachine: input.stateMachine });
  if (definition.functions.size === 0) throw new Error(`state machine ${input.stateMachine} runs no trapheus-cdk function: is it a TrapheusRestore pipeline?`);
  const pipelineId = [...definition.functions.values()].map((f) => f.env.PIPELINE_ID).find(Boolean) ?? '';
  const dynamo = await processDynalite();
  const sim = new RdsSimulator();
  const aws = new AwsSims();
  // A DNS alias (Cutover.dnsAlias()): Route 53 in memory, the record already pointing at the database
  const dnsEnv = [...definition.functions.values()].map((f) => f.env).find((env) => env.DNS_ZONE_ID && env.DNS_RECORD_NAME);
  const dns = dnsEnv ? new Route53Simulator(sim.clock) : undefined;
  const realFetch = globalThis.fetch;
  let slack = 0;
  try {
    globalThis.fetch = (async () => {
      slack += 1;
      return new Response('ok', { status: 200 });
    }) as typeof fetch;
    sim.install();
    aws.install();
    dynamo.reset(tablesOf(input.template));
    const passable = [...definition.functions.values()].map((f) => f.env.PASSABLE_ROLES).find(Boolean);
    const seeded = seedDatabase(sim, { passableRoles: passable ? JSON.parse(passable) : undefined, ...input.database }, pipelineId);
    if (dns && dnsEnv) {
      dns.install();
      const id = input.database.identifier;
      dns.addZone(dnsEnv.DNS_ZONE_ID, dnsEnv.DNS_RECORD_NAME.split('.').slice(1).join('.'));
      const endpoint = input.database.isCluster ? sim.cluster(id)?.Endpoint : sim.instance(id)?.Endpoint?.Address;
      if (endpoint) dns.putRecord(dnsEnv.DNS_ZONE_ID, { name: dnsEnv.DNS_RECORD_NAME, type: 'CNAME', ttl: Number(dnsEnv.DNS_TTL ?? 30), values: [endpoint] });
    }
    const result = await runDefinition(definition, {
      identifier: input.database.identifier,
      task: input.task,
      isCluster: input.database.isCluster,
    }, sim, { loadHandler: (name) => (HANDLERS[name] ?? unknownHandler(name))() });
    return {
      result,
      seeded,
      downtime: dns && dnsEnv
        ? (sim.endpointDowntime(input.database.identifier), dns.downtime(dnsEnv.DNS_RECORD_NAME, sim.endpointEvents))
        : sim.endpointDowntime(input.database.identifier),
      alerts: { sns: aws.published.length, email: aws.emails.length, slack },
    };
  } finally {
    sim.uninstall();
    aws.uninstall();
    dns?.uninstall();
    globalThis.fetch = realFetch;
  }
}

function unknownHandler(name: string): never {
  throw new Error(`the template runs lambda-src/${name}.lambda.ts, which this trapheus-cdk version does not ship: `
    + 'synthesize with the same trapheus-cdk version as this CLI');
}
