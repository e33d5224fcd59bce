/**
 * Integration test against a real AWS account (it creates and deletes a db.t4g.micro
 * PostgreSQL instance, about an hour): `npx integ-runner` (README, Development).
 * Its synthesized templates are checked without deploying by test/integ-snapshot.test.ts.
 */
import { App } from 'aws-cdk-lib';
import { createSnapshotIntegApp } from './integ/create-snapshot-app';

const app = new App();
createSnapshotIntegApp(app);
app.synth();
