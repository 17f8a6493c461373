/**
 * The mixed call pattern: Slotline's own simulator (`slotline simulate`, here through its
 * function) plays phone calls as telli does: /available, /book of one of the first few offered
 * starts (sometimes a later day), up to three attempts, some retries and changes of mind.
 * It runs in this process, so it competes with the server for the same 2 cores.
 */
import { runSimulation, type SimulationReport } from '../src/simulate/simulate.js';
import { SIGNING_KEY } from './scenario.js';

export const SIMULATION_CALLS = 2_000;
export const SIMULATION_CONCURRENCY = 50;
/** Fixed, so every run's callers decide the same way (answers still depend on timing). */
export const SIMULATION_SEED = 20_261_125;

export async function simulate({
  url,
  calendarId,
  resources,
}: {
  url: string;
  calendarId: string;
  resources: number;
}): Promise<SimulationReport> {
  return runSimulation({
    availableUrl: `${url}/calendars/${calendarId}/available`,
    bookUrl: `${url}/calendars/${calendarId}/book`,
    calls: SIMULATION_CALLS,
    concurrency: SIMULATION_CONCURRENCY,
    seed: SIMULATION_SEED,
    resources,
    key: SIGNING_KEY,
  });
}

/** Why a simulation report fails the run, or undefined when it passes. */
export function simulationProblem(report: SimulationReport): string | undefined {
  const problems: string[] = [];
  if (report.overbooking.doubleBookings.length > 0) {
    problems.push(`double bookings seen by the simulator: ${JSON.stringify(report.overbooking.doubleBookings)}`);
  }
  if (report.retries.idempotencyViolations > 0) {
    problems.push(`${report.retries.idempotencyViolations} retried bookings failed (idempotency violations)`);
  }
  if (report.http.status5xx > 0) problems.push(`${report.http.status5xx} answers were 5xx`);
  if (!report.ok && problems.length === 0) problems.push('the simulator reported the run as not ok');
  return problems.length > 0 ? problems.join('; ') : undefined;
}
