import { Annotations, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/**
 * Where the handler functions run: the Lambda-owned network (the default), or
 * your VPC (like the original Trapheus's `UseVPCAndSubnets`).
 *
 * In a VPC the handlers call the RDS, SNS, Step Functions, DynamoDB, SES and
 * Secrets Manager APIs over HTTPS, so their subnets need a NAT gateway route or
 * VPC endpoints for those services (`createVpcEndpoints`); without either,
 * every call times out.
 * Slack webhooks are on the internet: they need NAT.
 */
export interface NetworkOptions {
  /**
   * The VPC to run the handler functions in. They get a dedicated security
   * group that allows only HTTPS (443) out.
   * @default - no VPC: the functions run in the Lambda-owned network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The subnets of `vpc` to run in: private subnets, with a NAT route or with
   * the VPC endpoints the handlers need.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Run the handler functions in `vpc` (the original Trapheus's
   * `UseVPCAndSubnets`). `false` keeps them in the Lambda-owned network even
   * when `vpc` is given. `true` without `vpc` is refused at synth.
   * @default - true when `vpc` is given, false otherwise
   */
  readonly useVpc?: boolean;
  /**
   * In VPC mode, create VPC endpoints for the services the handlers call:
   * interface endpoints (with private DNS) for RDS, SNS and Step Functions (the
   * restore lock checks whether its holder's execution still runs) always, SES
   * (`email`) with email alerts, Secrets Manager with `slackWebhookSecret`, which
   * only the handlers' security group may reach; and a gateway endpoint for
   * DynamoDB (the restore lock's table) on the route tables of the handlers'
   * subnets. Leave it off when the VPC already has them (private DNS allows only
   * one endpoint per service in a VPC, and a route table one DynamoDB gateway
   * endpoint) or routes through NAT.
   * @default false
   */
  readonly createVpcEndpoints?: boolean;
}

/** The network settings the construct applies. */
export interface ResolvedNetwork {
  /** The VPC the handlers run in; undefined for the Lambda-owned network. */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly createVpcEndpoints: boolean;
}

/** Resolve the network props; refuse contradictory ones at synth, naming the prop. */
export function resolveNetwork(props: NetworkOptions): ResolvedNetwork {
  if (props.useVpc === true && !props.vpc) {
    throw new Error('useVpc is true but vpc is not set: give the VPC (and vpcSubnets) to run the handlers in, or leave useVpc out');
  }
  if (props.vpcSubnets && !props.vpc) {
    throw new Error('vpcSubnets is set but vpc is not: give the VPC the subnets belong to');
  }
  const inVpc = props.vpc !== undefined && props.useVpc !== false;
  if (props.createVpcEndpoints && !inVpc) {
    throw new Error(props.vpc
      ? 'createVpcEndpoints is true but useVpc is false: endpoints serve only handlers that run in the VPC'
      : 'createVpcEndpoints is true but vpc is not set: endpoints are created in the VPC the handlers run in');
  }
  return inVpc
    ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, createVpcEndpoints: props.createVpcEndpoints ?? false }
    : { createVpcEndpoints: false };
}

/** Which optional services the handlers call. */
export interface EndpointServices {
  /** SES, for email alerts. */
  readonly email: boolean;
  /** Secrets Manager, for the Slack webhook secret. */
  readonly secretsManager: boolean;
  /** Slack webhooks: on the internet, no endpoint reaches them. */
  readonly slack: boolean;
}

/**
 * Interface endpoints with private DNS for the services the handlers call,
 * in `subnets`, behind one security group that admits HTTPS only from the
 * handlers' security group.
 */
export function createInterfaceEndpoints(scope: Construct, vpc: ec2.IVpc, subnets: ec2.SubnetSelection | undefined,
  handlers: ec2.ISecurityGroup, services: EndpointServices): { interfaces: ec2.InterfaceVpcEndpoint[]; gateways: ec2.GatewayVpcEndpoint[] } {
  const sg = new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
    vpc,
    description: 'Trapheus VPC endpoints: HTTPS from the restore handlers only',
    allowAllOutbound: false,
  });
  sg.connections.allowFrom(handlers, ec2.Port.tcp(443), 'HTTPS from the restore handlers');
  const wanted: [string, ec2.IInterfaceVpcEndpointService][] = [
    ['RdsEndpoint', ec2.InterfaceVpcEndpointAwsService.RDS],
    ['SnsEndpoint', ec2.InterfaceVpcEndpointAwsService.SNS],
    // the restore lock checks whether its holder's execution still runs (DescribeExecution)
    ['StepFunctionsEndpoint', ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS],
  ];
  if (services.email) {
    // The SES API (SendEmail), not SMTP (`email-smtp`).
    wanted.push(['SesEndpoint', new ec2.InterfaceVpcEndpointService(`com.amazonaws.${Stack.of(scope).region}.email`, 443)]);
  }
  if (services.secretsManager) wanted.push(['SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER]);
  if (services.slack) {
    Annotations.of(scope).addWarningV2('trapheus-cdk:slackNeedsNat',
      'Slack webhooks are on the internet, which VPC endpoints do not reach: Slack alerts need a NAT route from the handlers\' subnets.');
  }
  const interfaces = wanted.map(([id, service]) => new ec2.InterfaceVpcEndpoint(scope, id, {
    vpc,
    service,
    subnets,
    privateDnsEnabled: true,
    securityGroups: [sg],
    open: false,
  }));
  // The restore lock's table: DynamoDB is reached through a (free) gateway endpoint on the subnets' route tables.
  const gateways = [new ec2.GatewayVpcEndpoint(scope, 'DynamoDbEndpoint', {
    vpc,
    service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
    subnets: [subnets ?? {}], // the handlers' subnets (by default the VPC's private ones)
  })];
  return { interfaces, gateways };
}
