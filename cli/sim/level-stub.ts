/**
 * Stands in for npm `level` in the CLI bundle. dynalite loads `level` (LevelDB,
 * native code) at start-up but uses it only when given a directory; the
 * simulator runs it in memory (`memory-level`), so this is never constructed.
 */
export class Level {
  constructor() {
    throw new Error('trapheus-cdk: the simulator keeps DynamoDB in memory; LevelDB on disk is not bundled');
  }
}
