import { legacySnapshotIdentifier, snapshotIdentifier, tempIdentifier } from '../../lambda-src/rds/naming';
import { identifierProblem } from '../../src/input-rules';

describe('naming', () => {
  test('the temporary identifier is readable when it fits', () => {
    expect(tempIdentifier('orders-db')).toBe('orders-db-trapheus-old');
  });

  test.each([50, 51, 60, 63])('a %i-character identifier gets a valid temporary identifier of at most 63', (length) => {
    const id = `a${'-b'.repeat(40)}`.slice(0, length).replace(/-$/, 'c');
    const temp = tempIdentifier(id);
    expect(temp.length).toBeLessThanOrEqual(63);
    expect(identifierProblem(temp)).toBeUndefined();
    expect(temp.endsWith('-trapheus-old')).toBe(true);
  });

  test('two long identifiers that share a prefix get different temporary identifiers', () => {
    const a = `${'x'.repeat(55)}-one`;
    const b = `${'x'.repeat(55)}-two`;
    expect(tempIdentifier(a)).not.toBe(tempIdentifier(b));
  });

  test('a shortened identifier never leaves a double hyphen', () => {
    const id = `${'a'.repeat(42)}-${'b'.repeat(20)}`;
    expect(tempIdentifier(id)).not.toContain('--');
  });

  test('snapshot names come from the execution start time', () => {
    expect(snapshotIdentifier('orders-db', '2026-01-09T08:00:05.123Z')).toBe('orders-db-trapheus-20260109-080005');
    expect(legacySnapshotIdentifier('orders-db')).toBe('orders-db-snapshot');
  });
});
