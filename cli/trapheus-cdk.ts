/**
 * The `trapheus-cdk` command (package.json `bin`), bundled by esbuild into
 * bin/trapheus-cdk.js with everything it uses: see cli/main.ts.
 */
import '../test/setup';
import { main } from './main';
import { stopSimulator } from './sim/dynalite';

void main(process.argv.slice(2))
  .catch((err) => {
    console.error(err);
    return 2;
  })
  .then(async (code) => {
    await stopSimulator();
    process.exitCode = code;
  });
