export * from './trapheus-restore';
export * from './instance-pipeline';
export * from './failure-path';
export * from './restore-handlers';
export type { PollingOptions } from './polling';
