import { Template } from 'aws-cdk-lib/assertions';
import type { PollPolicy } from '../../src/poll-schedule';
import { tablesOf, useDynalite } from '../sim/dynamo';
import { buildStack } from '../sim/run-pipeline';

/** The default poll policy, as the construct resolves it (30 s, x1.5, up to 5 min, 6 h per wait). */
export const POLICY: PollPolicy = { first: 30, max: 300, rate: 1.5, maxWait: 6 * 3600 };

/**
 * The status check's tests: the lock table the construct synthesizes, on
 * dynalite, emptied before each test, with HISTORY_TABLE set as the
 * construct sets it for the check function (and unset after the test).
 */
export function useHistoryTable() {
  const dynamo = useDynalite();
  const template = Template.fromStack(buildStack().stack).toJSON();
  const tables = tablesOf(template);
  const table = Object.values<any>(template.Resources).find((r) => r.Properties?.Environment?.Variables?.HISTORY_TABLE)
    .Properties.Environment.Variables.HISTORY_TABLE.Ref as string;
  beforeEach(() => {
    process.env.HISTORY_TABLE = table;
    dynamo().reset(tables);
  });
  afterEach(() => {
    delete process.env.HISTORY_TABLE;
  });
  return { dynamo, table };
}
