import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigValidationError, loadConfig, loadDotEnv } from '../config/app-config';
import { dataSourceOptions } from './data-source.options';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { revertLastMigrationLocked, runMigrationsLocked } from './migrator';
import { pendingSchemaChanges } from './schema-diff';

/**
 * `npm run migration:run | migration:revert | migration:generate -- <Name>` against DATABASE_URL,
 * or the embedded development database when it is not set.
 */
async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  loadDotEnv();
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  let url = config.database.url;
  if (!url) {
    embedded = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
    url = embedded.url;
  }
  const dataSource = new DataSource(dataSourceOptions({ ...config.database, url }));
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await runMigrationsLocked(dataSource);
      console.log(
        applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'No pending migrations',
      );
    } else if (command === 'revert') {
      await revertLastMigrationLocked(dataSource);
      console.log('Reverted the last migration');
    } else if (command === 'generate') {
      if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name))
        throw new UsageError('migration:generate needs a PascalCase name');
      const { up, down } = await pendingSchemaChanges(dataSource);
      if (up.length === 0) {
        console.log('The entities match the migrations: nothing to generate');
      } else {
        const timestamp = Date.now();
        const file = join(process.cwd(), 'migrations', `${timestamp}-${kebab(name)}.ts`);
        writeFileSync(file, migrationSource(`${name}${timestamp}`, up, down.reverse()));
        console.log(`Wrote ${file}; review it and add the class to migrations/index.ts`);
      }
    } else {
      throw new UsageError('usage: cli.js run | revert | generate <Name>');
    }
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

class UsageError extends Error {}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function migrationSource(className: string, up: string[], down: string[]): string {
  const lines = (queries: string[]) =>
    queries.map((q) => `    await q.query(${JSON.stringify(q)});`).join('\n');
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(q: QueryRunner): Promise<void> {
${lines(up)}
  }

  async down(q: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigValidationError)
    error.problems.forEach((p) => console.error(`Configuration error: ${p}`));
  else console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
