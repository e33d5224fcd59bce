import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ResolvedDnsAlias } from './cutover';

/**
 * The DNS cutover's function: the record's zone, name and TTL in its
 * environment; Route 53 access to that record only. ChangeResourceRecordSets
 * is allowed on the zone only when every record the batch changes is that
 * name (`route53:ChangeResourceRecordSetsNormalizedRecordNames`: lowercase, no
 * trailing dot), of type CNAME (`…RecordTypes`), by UPSERT (`…Actions`)
 * (Route 53 Developer Guide, "Using IAM policy conditions for fine-grained
 * access control"; ForAllValues because the keys are multivalued).
 */
export function dnsFunction(scope: Construct, fn: lambda.Function, dns: ResolvedDnsAlias): lambda.Function {
  fn.addEnvironment('DNS_ZONE_ID', dns.hostedZone.hostedZoneId);
  fn.addEnvironment('DNS_RECORD_NAME', dns.recordName);
  fn.addEnvironment('DNS_TTL', String(dns.ttlSeconds));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['route53:ChangeResourceRecordSets'],
    resources: [dns.hostedZone.hostedZoneArn],
    conditions: {
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': [dns.recordName],
        'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
        'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
      },
    },
  }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [dns.hostedZone.hostedZoneArn] }));
  // GetChange names a change, whose id is known only once it is made (IAM reference, Route 53: resource `change`)
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['route53:GetChange'], resources: [Stack.of(scope).formatArn({ service: 'route53', region: '', account: '', resource: 'change', resourceName: '*' })] }));
  return fn;
}
