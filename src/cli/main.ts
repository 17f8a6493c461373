import { Command } from 'commander';
import { checkCommand } from '../check/check.command.js';
import { simulateCommand } from '../simulate/simulate.command.js';
import { configWarnings } from '../config/config-warnings.js';
import { loadConfigFile } from '../config/config.loader.js';
import type { CalendarConfig } from '../config/config.types.js';
import { errorMessage } from '../shared/error-message.js';
import { serve } from './serve.js';
import { resolveConfig } from './settings.js';
import { adminSummary, migrationSummary, openDatabase, signingSummary, webhooksSummary } from './start-up.js';

const program = new Command('slotline').description(
  "Self-hosted appointment engine behind telli's Generic Calendar URLs",
);

program
  .command('serve')
  .description('serve the calendars of the config file')
  .option('--config <file>', 'config file (env SLOTLINE_CONFIG; default ./slotline.yaml, else the shipped example)')
  .option('--port <n>', 'port to listen on (env PORT; default 3000)')
  .option('--host <h>', 'address to listen on (default 0.0.0.0)')
  .option('--database <url>', 'database URL (env SLOTLINE_DATABASE; default sqlite:./data/slotline.db)')
  .action(serve);

program
  .command('migrate')
  .description('bring the database schema up to date (serve also does this at start-up)')
  .option('--config <file>', 'config file whose database to use')
  .option('--database <url>', 'database URL (env SLOTLINE_DATABASE)')
  .action(async (flags: { config?: string; database?: string }) => {
    const { store, migrated } = await openDatabase(resolveConfig(flags).config);
    await store.close();
    console.log(migrationSummary(migrated));
  });

program
  .command('validate-config')
  .description("check a config file and print each calendar's summary")
  .argument('<file>', 'config file')
  .action((file: string) => {
    const config = loadConfigFile(file);
    for (const calendar of config.calendars) console.log(summary(calendar));
    console.log(signingSummary(config));
    console.log(adminSummary(config));
    console.log(webhooksSummary(config));
    // Warnings leave the exit status at 0: the config works, it may just not do what was meant.
    for (const warning of configWarnings(config)) console.error(`warning: ${warning.keyPath}: ${warning.message}`);
  });

program.addCommand(checkCommand());
program.addCommand(simulateCommand());

function summary(calendar: CalendarConfig): string {
  const minutes = (ms: number) => `${ms / 60_000} min`;
  const resources = calendar.resources.map((resource) => resource.id).join(', ');
  return [
    `${calendar.id} (${calendar.name}): ${calendar.timezone}`,
    `${minutes(calendar.duration)} slots every ${minutes(calendar.interval)}`,
    `horizon ${calendar.horizon / 86_400_000} days`,
    `resources ${resources}`,
    calendar.booking ? `booking on, assignment ${calendar.assignment}` : 'availability only',
  ].join(', ');
}

program.parseAsync().catch((error: unknown) => {
  console.error(`slotline: ${errorMessage(error)}`);
  process.exit(1);
});
