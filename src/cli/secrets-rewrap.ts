/** `npm run secrets:rewrap -- [--to vault|local] [--rotate] [--batch-size N] [--dry-run] [--local-keyring PATH]` */
// Loading the entities registers the columns their features keep secrets in (registerSecretColumns).
import '../standalone-data-source';
import { runCli } from './bootstrap';
import { runRewrapCommand } from './secrets-rewrap.command';

runCli(runRewrapCommand);
