import type { Starts } from './free-starts.js';
import type { Interval } from './interval.js';
import { addDays } from './local-date.js';
import type { SlotRules } from './rules.js';
import { localDateOf } from './zone.js';

/** A day's free starts in offer order, as far as listings have asked for them, and the rest to come. */
interface DayOffers {
  readonly rules: SlotRules;
  readonly from: number;
  readonly to: number;
  readonly offers: number[];
  readonly rest: Starts;
}

/**
 * A calendar's days' offers, kept from one listing to the next while its loads change one booking
 * at a time: a booking alters the offers of the one or two days it touches, and without this a
 * listing over a two-year horizon would walk every day again after each booking.
 *
 * A memo holds for the loads it was made with. Loads changed by bookings get `without(...)` those
 * bookings' days, and the old memo keeps nothing from then on, so that a listing still running on
 * the old loads cannot leave its days in the new memo. Loads built anew get a new memo.
 */
export interface OfferMemo {
  /** The offers of local `date` within [from, to), from memory when they were asked alike before. */
  offers(
    rules: SlotRules,
    date: string,
    bounds: { readonly from: number; readonly to: number },
    compute: () => Starts,
  ): Starts;
  /** The memo for the loads after bookings blocking `changed` were made or ended. */
  without(rules: SlotRules, changed: readonly Interval[]): OfferMemo;
}

export function createOfferMemo(): OfferMemo {
  return memoOf(new Map());
}

function memoOf(initial: Map<string, DayOffers>): OfferMemo {
  let days: Map<string, DayOffers> | undefined = initial;
  return {
    offers(rules, date, { from, to }, compute) {
      if (!days) return compute();
      let day = days.get(date);
      if (!day || day.rules !== rules || day.from !== from || day.to !== to) {
        day = { rules, from, to, offers: [], rest: compute() };
        days.set(date, day);
      }
      return replay(day);
    },

    without(rules, changed) {
      const kept = days ?? new Map<string, DayOffers>();
      days = undefined;
      for (const blocked of changed) {
        // The days of the starts whose slot with its buffers meets the range; the booking's own
        // start (max_per_day) lies within the range.
        const first = localDateOf(rules.timezone, blocked.start - rules.duration - rules.bufferAfter);
        const last = localDateOf(rules.timezone, blocked.end + rules.bufferBefore);
        for (let date = first; date <= last; date = addDays(date, 1)) kept.delete(date);
      }
      return memoOf(kept);
    },
  };
}

/** The day's offers known so far, then further ones as asked, kept for the next listing. */
function replay(day: DayOffers): Starts {
  const { offers, rest } = day;
  let index = 0;
  return {
    next() {
      if (index < offers.length) return offers[index++]!;
      const next = rest.next();
      if (next !== Infinity) {
        offers.push(next);
        index++;
      }
      return next;
    },
  };
}
