import { RDSClient } from '@aws-sdk/client-rds';

let client: RDSClient | undefined;

/**
 * The RDS client every handler uses, with the SDK's default configuration:
 * region, credentials and endpoint come from the environment, so the handlers
 * run unchanged in any partition, behind VPC endpoints or against an emulator.
 */
export function rds(): RDSClient {
  client ??= new RDSClient({});
  return client;
}
