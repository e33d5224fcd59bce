import type { AwsCall } from './aws-calls';
import type { Authorization } from './iam-resources';

/**
 * Route 53 (global: its ARNs have no Region or account; IAM reference, "Actions, resources, and
 * condition keys for Amazon Route 53"): ChangeResourceRecordSets and ListResourceRecordSets on the
 * hosted zone, GetChange on the change. ChangeResourceRecordSets carries the multivalued keys
 * route53:ChangeResourceRecordSetsNormalizedRecordNames (lowercase, no trailing dot),
 * …RecordTypes and …Actions (uppercase), one value per change (Route 53 Developer Guide,
 * "Using IAM policy conditions for fine-grained access control", normalization). Names here
 * are letters, digits, hyphens, underscores and dots, which need no \NNN escape.
 */
export function route53Authorizations(call: AwsCall): Authorization[] {
  const i = call.input ?? {};
  if (call.action === 'GetChange') return [{ action: 'route53:GetChange', resource: `arn:aws:route53:::change/${String(i.Id).replace(/^\/?change\//, '')}`, context: {} }];
  const zone = `arn:aws:route53:::hostedzone/${String(i.HostedZoneId).replace(/^\/?hostedzone\//, '')}`;
  if (call.action !== 'ChangeResourceRecordSets') return [{ action: `route53:${call.action}`, resource: zone, context: {} }];
  const changes: { Action: string; ResourceRecordSet: { Name: string; Type: string } }[] = i.ChangeBatch?.Changes ?? [];
  const distinct = (xs: string[]) => [...new Set(xs)];
  return [{
    action: 'route53:ChangeResourceRecordSets',
    resource: zone,
    context: {
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': distinct(changes.map((c) => c.ResourceRecordSet.Name.toLowerCase().replace(/\.$/, ''))),
      'route53:ChangeResourceRecordSetsRecordTypes': distinct(changes.map((c) => c.ResourceRecordSet.Type.toUpperCase())),
      'route53:ChangeResourceRecordSetsActions': distinct(changes.map((c) => c.Action.toUpperCase())),
    },
  }];
}
