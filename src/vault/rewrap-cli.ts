// Loading the entities registers the columns their features keep secrets in (registerSecretColumns).
import '../database/entities';
import { loadDotEnv } from '../config/app-config';
import { runRewrapCommand } from './rewrap-command';

/** `npm run secrets:rewrap -- [--to vault|local] [--rotate] [--batch-size N] [--dry-run] [--local-keyring PATH]` */
loadDotEnv();
runRewrapCommand(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
