import { Command, InvalidArgumentError, Option } from 'commander';
import { CONTACT_PREFIX, runCheck } from './check.js';
import { renderJson, renderTable } from './report.js';

const BOOKING_NOTE = `
The check books real appointments on the target: one listed slot, the same slot again for further
contacts until the target refuses (up to 51 bookings of it on a target that double-books), and
attempts at a start that was never offered and at one in the past. Their contact ids start with
"${CONTACT_PREFIX}", and the report ends with every booking the target confirmed (calendar, start,
contact id), so that they can be cancelled afterwards. --no-book avoids all booking. Against
Slotline, --admin-token (or SLOTLINE_ADMIN_TOKEN) cancels them at the end through its admin API.`;

interface CheckFlags {
  readonly bookUrl?: string;
  readonly key?: string;
  readonly book: boolean;
  readonly json?: boolean;
  readonly adminToken?: string;
}

export function checkCommand(): Command {
  return (
    new Command('check')
      .description("check any Generic Calendar implementation against telli's contract, sending requests as telli does")
      .argument('<available-url>', 'the Available URL', httpUrl)
      .option('--book-url <url>', 'the Book URL; without it booking is not checked', httpUrl)
      // From the environment too: a key on the command line shows in `ps` and the shell history.
      .addOption(
        new Option('--key <key>', 'telli API key: sign requests with it and check that bad signatures are refused').env(
          'TELLI_API_KEY',
        ),
      )
      .option('--no-book', 'book nothing: skip the booking checks')
      .addOption(
        new Option(
          '--admin-token <token>',
          "a Slotline target's admin token: cancel the bookings the check made at the end",
        ).env('SLOTLINE_ADMIN_TOKEN'),
      )
      .option('--json', 'print the report as JSON')
      .addHelpText('after', BOOKING_NOTE)
      .action(async (availableUrl: string, flags: CheckFlags) => {
        const { bookUrl, key, book, adminToken } = flags;
        const report = await runCheck({ availableUrl, bookUrl, key, book, adminToken });
        console.log(flags.json ? renderJson(report) : renderTable(report));
        if (report.summary.failed > 0) process.exitCode = 1;
      })
  );
}

function httpUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new InvalidArgumentError('expected an http:// or https:// URL');
  }
  return value;
}
