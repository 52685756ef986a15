/** Types for dynalite 4 (the package ships none): an in-memory DynamoDB emulator as an http.Server. */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB folder; in memory when absent */
    readonly path?: string;
    /** ms a table stays CREATING. @default 500 */
    readonly createTableMs?: number;
    /** ms a table stays DELETING. @default 500 */
    readonly deleteTableMs?: number;
    /** ms a table stays UPDATING. @default 500 */
    readonly updateTableMs?: number;
    readonly maxItemSizeKb?: number;
    readonly ssl?: boolean;
    readonly verbose?: boolean;
    readonly debug?: boolean;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
