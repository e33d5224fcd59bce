export * from './trapheus-restore';
export * from './instance-pipeline';
export * from './endings';
export * from './restore-handlers';
export type { PollingOptions } from './polling';
