/** `npm run migration:run | migration:revert | migration:generate -- <Name>` */
import { runCli } from './bootstrap';
import { migrationCommand } from './migration.command';

runCli(migrationCommand);
