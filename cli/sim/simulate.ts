import { DatabaseSpec, seedDatabase } from './database';
import { processDynalite } from './dynalite';
import { HANDLERS } from './handlers';
import { AwsSims } from '../../test/sim/aws-sims';
import { tablesOf } from '../../test/sim/dynamo';
import { RdsSimulator } from '../../test/sim/rds-sim';
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
  /** When the database's endpoint was unreachable, in simulated seconds from the start. */
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
    const result = await runDefinition(definition, {
      identifier: input.database.identifier,
      task: input.task,
      isCluster: input.database.isCluster,
    }, sim, { loadHandler: (name) => (HANDLERS[name] ?? unknownHandler(name))() });
    return {
      result,
      seeded,
      downtime: sim.endpointDowntime(input.database.identifier),
      alerts: { sns: aws.published.length, email: aws.emails.length, slack },
    };
  } finally {
    sim.uninstall();
    aws.uninstall();
    globalThis.fetch = realFetch;
  }
}

function unknownHandler(name: string): never {
  throw new Error(`the template runs lambda-src/${name}.lambda.ts, which this trapheus-cdk version does not ship: `
    + 'synthesize with the same trapheus-cdk version as this CLI');
}
