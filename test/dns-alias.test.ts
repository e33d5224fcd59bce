import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Cutover, DnsAliasCutoverProps, TrapheusRestore } from '../src';
import { definitionFromTemplate } from './sim/template-pipeline';

type Extra = Partial<Omit<DnsAliasCutoverProps, 'hostedZone'>>;

function synth(extra: Extra = {}, zone: 'attributes' | 'id' = 'attributes') {
  const stack = new Stack(new App(), 'Dns', { env: { account: '123456789012', region: 'us-east-1' } });
  const hostedZone = zone === 'attributes'
    ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0ZONE', zoneName: 'example.internal' })
    : route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0ZONE');
  new TrapheusRestore(stack, 'Restore', { cutover: Cutover.dnsAlias({ hostedZone, recordName: 'orders-db', ...extra }) });
  return stack;
}

function dnsFunction(template: any): [string, any] {
  return Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === 'lambda-src/dns.lambda.ts')!;
}

describe('Cutover.dnsAlias()', () => {
  test('the DNS function gets the record in its environment, and Route 53 access to that record only', () => {
    const template = Template.fromStack(synth({ recordName: 'Orders-DB.example.internal.' })).toJSON();
    const [fnId, fn] = dnsFunction(template);
    expect(fn.Properties.Environment.Variables).toMatchObject({ DNS_ZONE_ID: 'Z0ZONE', DNS_RECORD_NAME: 'orders-db.example.internal', DNS_TTL: '30' });
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values<any>(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const route53Statements = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('route53:')));
    expect(route53Statements).toEqual([
      {
        Action: 'route53:ChangeResourceRecordSets',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/Z0ZONE']] },
        Condition: {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['orders-db.example.internal'],
            'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
            'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
          },
        },
      },
      { Action: 'route53:ListResourceRecordSets', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/Z0ZONE']] } },
      { Action: 'route53:GetChange', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::change/*']] } },
    ]);
    // no other function may touch Route 53
    const others = Object.values<any>(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && !r.Properties.Roles.some((x: any) => x.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('route53:')));
    expect(others).toEqual([]);
    expect(fnId).toMatch(/Dns/);
  });

  test('no DNS function without it', () => {
    const stack = new Stack(new App(), 'Plain');
    new TrapheusRestore(stack, 'Restore', { cutover: Cutover.RESTORE_THEN_SWAP });
    expect(dnsFunction(Template.fromStack(stack).toJSON())).toBeUndefined();
  });

  test('the instance branch: record first, the staged restore, the switch, INSYNC, the drain, then the old instance', () => {
    const template = Template.fromStack(synth({ drain: Duration.minutes(10) })).toJSON();
    const states = definitionFromTemplate(template).asl.States;
    expect(states['Is it a cluster?'].Default).toBe('Find the serving instance from the DNS record');
    expect(states['Is it a cluster?'].Choices[0].Next).toBe('Find the serving cluster from the DNS record');
    expect(states['Point the DNS record at the restored instance'].Next).toBe('Start waiting for DNS record switch to the restored instance');
    expect(states['Is DNS record switch to the restored instance ready?'].Default).toBe('Let clients drain from the old instance for 10 minutes');
    expect(states['Let clients drain from the old instance for 10 minutes']).toMatchObject({ Type: 'Wait', Seconds: 600, Next: 'Delete the old instance' });
    expect(states['Point the DNS record at the restored instance'].Catch[0].Next).toBe('Point the DNS record back at the original instance');
    expect(Object.keys(states)).not.toContain('Rename the instance out of the way');
  });

  test.each([
    [{ ttl: Duration.seconds(120) }, /ttl must be 1 to 60 seconds \(got 120 s\)/],
    [{ ttl: Duration.millis(1500) }, /ttl must be whole seconds/],
    [{ drain: Duration.seconds(10) }, /drain must be at least the ttl \(30 s\)/],
    [{ recordName: 'example.internal' }, /is the zone apex/],
    [{ recordName: 'orders db' }, /recordName "orders db" must be a fully qualified name/],
  ] as [Extra, RegExp][])('%j is refused at synth, naming the prop', (extra, message) => {
    expect(() => synth(extra)).toThrow(message);
  });

  test('a zone known only by id: the record name must be fully qualified', () => {
    expect(() => synth({ recordName: 'orders-db' }, 'id')).toThrow(/recordName "orders-db" must be a fully qualified name/);
    const template = Template.fromStack(synth({ recordName: 'orders-db.example.internal' }, 'id')).toJSON();
    expect(dnsFunction(template)[1].Properties.Environment.Variables.DNS_RECORD_NAME).toBe('orders-db.example.internal');
  });

  test('cdk-nag: no new finding', () => {
    const stack = synth();
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });
});
