/** `npm run token -- --user 42 [--expires-in 3600]` */
import { runCli } from './bootstrap';
import { tokenCommand } from './token.command';

runCli(tokenCommand);
