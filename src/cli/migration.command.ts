import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { revertLastMigrationLocked, runMigrationsLocked } from '../database/migrator';
import { pendingSchemaChanges } from '../database/schema-diff';
import { standaloneDataSourceOptions } from '../standalone-data-source';
import { cliConfig, type CliIo, reportError, UsageError, withDatabaseUrl } from './bootstrap';

/**
 * `npm run migration:run | migration:revert | migration:generate -- <Name>` against DATABASE_URL,
 * or the embedded development database when it is not set.
 */
export async function migrationCommand(argv: string[], io: CliIo): Promise<number> {
  try {
    const [command, name] = argv;
    if (command !== 'run' && command !== 'revert' && command !== 'generate')
      throw new UsageError('usage: migration.js run | revert | generate <Name>');
    if (command === 'generate' && (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)))
      throw new UsageError('migration:generate needs a PascalCase name');
    const config = cliConfig(io);
    await withDatabaseUrl(config, async (url) => {
      const dataSource = new DataSource(standaloneDataSourceOptions({ ...config.database, url }));
      await dataSource.initialize();
      try {
        if (command === 'run') {
          const applied = await runMigrationsLocked(dataSource);
          io.out(
            applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'No pending migrations',
          );
        } else if (command === 'revert') {
          await revertLastMigrationLocked(dataSource);
          io.out('Reverted the last migration');
        } else {
          io.out(await generate(dataSource, name, io.cwd ?? process.cwd()));
        }
      } finally {
        await dataSource.destroy();
      }
    });
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

async function generate(dataSource: DataSource, name: string, cwd: string): Promise<string> {
  const { up, down } = await pendingSchemaChanges(dataSource);
  if (up.length === 0) return 'The entities match the migrations: nothing to generate';
  const timestamp = Date.now();
  const file = join(cwd, 'migrations', `${timestamp}-${kebab(name)}.ts`);
  writeFileSync(file, migrationSource(`${name}${timestamp}`, up, down.reverse()));
  return `Wrote ${file}; review it and add the class to migrations/index.ts`;
}

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
