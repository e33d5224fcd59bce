/** How a DB instance restore hands the identifier (and so the endpoint) over to the restored database. */
export enum Cutover {
  /**
   * Rename the original out of the way, then restore the snapshot under its
   * identifier (the order the RDS documentation describes). The endpoint is
   * down for the whole restore.
   */
  RENAME_FIRST = 'rename-first',
  /**
   * Restore the snapshot under a staging identifier (`<id>-trapheus-new`),
   * apply and verify its configuration, and only then rename the original out
   * of the way and the staged database into its identifier. The endpoint is
   * down only for the two renames; both databases exist during the restore.
   */
  RESTORE_THEN_SWAP = 'restore-then-swap',
}

/** The cutover prop. */
export interface CutoverOptions {
  /**
   * How a DB instance restore hands over the identifier. Aurora clusters always
   * rename first (their members are created only once the restored cluster exists).
   * @default Cutover.RENAME_FIRST
   */
  readonly cutover?: Cutover;
}
