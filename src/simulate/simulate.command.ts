import { Command, InvalidArgumentError } from 'commander';
import { runSimulation, type Percentiles, type SimulationReport } from './simulate.js';

interface Flags {
  bookUrl?: string;
  calls: number;
  concurrency: number;
  key?: string;
  seed?: number;
  resources: number;
  timeout: number;
  json?: boolean;
}

const CHECK_HELP = `
How the double-booking check works:
  The simulator sees answers, not resources. Per start it keeps the contacts that hold a
  successful booking: a retry adds nobody, and a contact who changed their mind counts only on
  the new start (the contract replaces the earlier booking). A contact whose /book got no answer
  (timeout, error status) is left out. At the end, any start held by more than --resources
  contacts is reported as a double booking. Leaving contacts out, or a server that keeps both
  bookings of a contact, can only hide a double booking, never invent one: a reported double
  booking is real as long as no slot has more resources than --resources says.
  Finally /available is asked once more: a start already held by --resources contacts that is
  still offered is reported as "offered while full" (booking it would over-book or fail).

Exit status 1 when a double booking, an idempotency violation or a 5xx answer was seen.`;

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('play phone calls against a Generic Calendar (Slotline or any other) as telli does, and check it')
    .argument('<available-url>', 'the Available URL, e.g. http://localhost:3000/available')
    .option('--book-url <url>', 'the Book URL (default: the Available URL ending in /book instead of /available)')
    .option('--calls <n>', 'calls to play', positiveInteger, 100)
    .option('--concurrency <n>', 'calls at the same time', positiveInteger, 10)
    .option('--key <key>', 'telli API key to sign requests with (default: env TELLI_API_KEY)')
    .option(
      '--seed <n>',
      "seed of the callers' decisions, to replay a run (answers still depend on timing; default: random)",
      integer,
    )
    .option(
      '--resources <n>',
      'resources behind each slot: more holders than this is a double booking',
      positiveInteger,
      1,
    )
    .option('--timeout <seconds>', 'per-request timeout', positiveNumber, 10)
    .option('--json', 'print the report as JSON')
    .addHelpText('after', CHECK_HELP)
    .action(async (availableUrl: string, flags: Flags) => {
      const progress = progressReporter(process.stderr);
      const report = await runSimulation({
        availableUrl,
        bookUrl: flags.bookUrl ?? bookUrlFor(availableUrl),
        calls: flags.calls,
        concurrency: flags.concurrency,
        // Not a commander default: --help would print the key.
        key: flags.key ?? (process.env.TELLI_API_KEY || undefined),
        seed: flags.seed,
        resources: flags.resources,
        timeoutMs: flags.timeout * 1000,
        onProgress: progress.update,
      });
      progress.finish();
      console.log(flags.json ? JSON.stringify(report, null, 2) : formatReport(report, availableUrl, flags.concurrency));
      if (!report.ok) process.exitCode = 1;
    });
}

function bookUrlFor(availableUrl: string): string {
  const url = new URL(availableUrl);
  if (!url.pathname.endsWith('/available')) {
    throw new Error('--book-url is needed when the Available URL does not end in /available');
  }
  url.pathname = url.pathname.replace(/available$/, 'book');
  return url.toString();
}

/** A one-line bar redrawn with `\r` on a terminal; a plain line every 10% when piped or logged. */
function progressReporter(stream: NodeJS.WriteStream) {
  let shown = -1;
  return {
    update: (done: number, total: number) => {
      const percent = Math.floor((done / total) * 100);
      if (stream.isTTY) {
        if (percent === shown) return;
        const filled = Math.round(percent / 4);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(25 - filled)}] ${percent}% ${done}/${total} calls`);
      } else {
        if (Math.floor(percent / 10) === Math.floor(Math.max(shown, 0) / 10)) return;
        stream.write(`simulate: ${done}/${total} calls (${percent}%)\n`);
      }
      shown = percent;
    },
    finish: () => {
      if (stream.isTTY && shown >= 0) stream.write('\n');
    },
  };
}

function formatReport(report: SimulationReport, availableUrl: string, concurrency: number): string {
  const { outcomes, book, retries, mindChanges, http, overbooking: check } = report;
  const latency = (p: Percentiles) =>
    `p50 ${p.p50} ms, p90 ${p.p90} ms, p99 ${p.p99} ms, max ${p.max} ms (${p.count} answers)`;
  const rows: [string, string][] = [
    ['target', `${availableUrl}, seed ${report.seed}, concurrency ${concurrency}`],
    [
      'calls',
      `${report.calls} in ${(report.durationMs / 1000).toFixed(1)} s: booked ${outcomes.booked}, gave up ${outcomes.gaveUp}, ` +
        `nothing offered ${outcomes.nothingOffered}, broken off ${outcomes.broken}`,
    ],
    ['/book', `succeeded ${book.succeeded}, conflicts ${book.conflicts}, other failures ${book.otherFailures}`],
    ...book.otherReasons.map((reason): [string, string] => ['', `"${reason}"`]),
    ['retries', `sent ${retries.sent}, idempotency violations ${retries.idempotencyViolations}`],
    ['mind changes', `${mindChanges.succeeded} rebooked of ${mindChanges.attempted} who tried`],
    [
      'http',
      `${http.requests} requests: non-2xx ${http.non2xx} (5xx ${http.status5xx}), timeouts ${http.timeouts}, ` +
        `network errors ${http.networkErrors}, unreadable ${http.unreadable}`,
    ],
    ['latency /available', latency(report.latencyMs.available)],
    ['latency /book', latency(report.latencyMs.book)],
    ['throughput', `${report.throughput.callsPerSecond} calls/s, ${report.throughput.requestsPerSecond} requests/s`],
    [
      'held',
      `${check.heldContacts} contacts on ${check.heldStarts} starts, at most ${check.mostHoldersOnOneStart} on one` +
        (check.uncertainContacts ? ` (${check.uncertainContacts} left out: no answer)` : ''),
    ],
    [
      'double booked',
      check.doubleBookings.length === 0
        ? `none (--resources ${check.resources})`
        : `${check.doubleBookings.length} starts held by more than ${check.resources}`,
    ],
    ...check.doubleBookings
      .slice(0, 10)
      .map((slot): [string, string] => ['', `${slot.start_iso}: ${slot.holders} contacts`]),
    [
      'offered full',
      check.finalListingRead
        ? check.offeredWhileFull.length === 0
          ? 'none'
          : `${check.offeredWhileFull.length} full starts still offered: ${check.offeredWhileFull.slice(0, 5).join(', ')}`
        : 'unknown: the final /available did not answer',
    ],
    ['result', report.ok ? 'OK' : 'FAILED'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `${label.padEnd(width)}  ${text}`).join('\n');
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('not a whole number');
  return Number(value);
}

function positiveInteger(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError('must be at least 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number');
  return n;
}
