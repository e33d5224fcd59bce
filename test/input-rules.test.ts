import { identifierProblem, inputProblems } from '../src/input-rules';

describe('identifier rules', () => {
  test.each(['a', 'my-db', 'db1', 'a'.repeat(63), 'prod-orders-2'])('accepts %s', (id) => {
    expect(identifierProblem(id)).toBeUndefined();
  });
  test.each([
    ['', /empty/],
    ['a'.repeat(64), /64 characters; RDS identifiers have at most 63/],
    ['My-Db', /uppercase.*"my-db"/],
    ['1db', /start with a letter/],
    ['my-db-', /end with a hyphen/],
    ['my--db', /two consecutive hyphens/],
    ['my_db', /contains "_"/],
    ['my.db', /contains "\."/],
  ])('refuses %j', (id, why) => {
    expect(identifierProblem(id)).toMatch(why);
  });
});

describe('input rules', () => {
  test('a valid input has no problems', () => {
    expect(inputProblems({ identifier: 'my-db', task: 'db_restore', isCluster: false })).toEqual([]);
  });
  test('each problem names its field and error', () => {
    const problems = inputProblems({ identifier: 'My_Db', task: 'restore', isCluster: 'false', extra: 1 });
    expect(problems.map((p) => [p.error, p.field])).toEqual([
      ['InvalidInput', 'extra'], ['InvalidIdentifier', 'identifier'], ['InvalidTask', 'task'], ['InvalidIsCluster', 'isCluster'],
    ]);
  });
  test('suggests the task the user probably meant', () => {
    expect(inputProblems({ identifier: 'a', task: 'DB-Restore', isCluster: false })[0].message).toMatch(/did you mean "db_restore"/);
  });
  test.each([null, [], 'db_restore', 42])('refuses a payload that is not an object: %j', (input) => {
    expect(inputProblems(input)).toEqual([expect.objectContaining({ error: 'InvalidInput', field: 'input' })]);
  });
});
