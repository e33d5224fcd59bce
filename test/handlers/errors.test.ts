import { RDSServiceException } from '@aws-sdk/client-rds';
import { classify, PipelineError, unlessAbsent } from '../../lambda-src/rds/errors';

const fault = (name: string, message: string, status = 400) =>
  new RDSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });

describe('error classification', () => {
  test.each(['Throttling', 'ThrottlingException', 'RequestLimitExceeded'])('%s becomes RdsThrottled', (name) => {
    expect(classify(fault(name, 'x'), 'Renaming a').name).toBe('RdsThrottled');
  });
  test('a "Rate exceeded" message is throttling whatever the name', () => {
    expect(classify(fault('SomethingElse', 'Rate exceeded'), 'x').name).toBe('RdsThrottled');
  });
  test('5xx and network faults become RdsUnavailable', () => {
    expect(classify(fault('InternalFailure', 'boom', 500), 'x').name).toBe('RdsUnavailable');
    expect(classify(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'x').name).toBe('RdsUnavailable');
  });
  test('an RDS fault keeps its name and gets the context', () => {
    const e = classify(fault('DBInstanceNotFoundFault', 'DBInstance x not found.'), 'Renaming x to y');
    expect(e).toBeInstanceOf(PipelineError);
    expect(e.name).toBe('DBInstanceNotFoundFault');
    expect(e.message).toBe('Renaming x to y: DBInstance x not found.');
  });
});

describe('unlessAbsent', () => {
  test('a "not found" fault means absent; any other fault is classified with its context', async () => {
    await expect(unlessAbsent(['DBInstanceNotFoundFault'], 'Describing x', () => Promise.reject(fault('DBInstanceNotFoundFault', 'gone')))).resolves.toBeUndefined();
    await expect(unlessAbsent(['DBInstanceNotFoundFault'], 'Describing x', () => Promise.resolve(42))).resolves.toBe(42);
    await expect(unlessAbsent(['DBInstanceNotFoundFault'], 'Describing x', () => Promise.reject(fault('Throttling', 'Rate exceeded'))))
      .rejects.toMatchObject({ name: 'RdsThrottled', message: 'Describing x: Throttling: Rate exceeded' });
  });
});
