/**
 * Every word the dashboard shows, in one place, so that a translation can follow: a translation
 * is another object of the same shape. The browser script gets the few it needs from the page.
 */
export const STRINGS = {
  /** For dates written out, with Intl. */
  locale: 'en',
  appName: 'Slotline',
  signInTitle: 'Sign in',
  signInIntro: 'Sign in with an admin token from the configuration.',
  tokenLabel: 'Token',
  signIn: 'Sign in',
  signOut: 'Sign out',
  wrongToken: 'That token is not valid.',
  calendars: 'Calendars',
  bookings: 'Bookings',
  noCalendars: 'No calendars are configured.',
  resources: (count: number) => (count === 1 ? '1 resource' : `${count} resources`),

  dayView: 'Day',
  weekView: 'Week',
  today: 'Today',
  previousDay: 'Previous day',
  nextDay: 'Next day',
  previousWeek: 'Previous week',
  nextWeek: 'Next week',
  dateLabel: 'Date',
  show: 'Show',
  calendarLabel: (name: string) => `Bookings of ${name}`,
  timeZoneNote: (zone: string) => `Times in ${zone}.`,
  noScript: 'The calendar needs JavaScript. The bookings list works without it.',
  outsideHours: 'outside hours',
  onTimeOff: 'on time off',
  timeOff: 'Time off',
  openHours: 'Open',

  searchLabel: 'Search',
  searchHint: 'Name, e-mail, phone number or contact id',
  statusLabel: 'Status',
  statusNames: { active: 'Active', cancelled: 'Cancelled', replaced: 'Replaced', all: 'All' } as Record<string, string>,
  search: 'Search',
  noBookings: 'No bookings found.',
  nextPage: 'Next page',
  firstPage: 'First page',
  searchTooLong: (max: number) => `Search for at most ${max} characters.`,
  columns: { when: 'When', calendar: 'Calendar', resource: 'Resource', contact: 'Contact', status: 'Status' },
  unnamed: '(no name)',

  bookingTitle: (name: string) => `Booking of ${name}`,
  details: 'Details',
  contactDetails: 'Contact details',
  contactId: 'Contact id',
  externalContactId: 'External contact id',
  createdAt: 'Booked',
  createdBy: 'Booked by',
  cancelledAt: 'Cancelled',
  cancelReason: 'Reason',
  none: '—',
  history: 'History',
  historyColumns: { at: 'When', actor: 'Who', action: 'What', change: 'Change' },
  actions: {
    'booking.created': 'Booked',
    'booking.replaced': 'Replaced by another booking',
    'booking.cancelled': 'Cancelled',
    'booking.moved': 'Moved',
    'time_off.created': 'Time off added',
    'time_off.deleted': 'Time off removed',
  } as Record<string, string>,
  cancelBooking: 'Cancel booking',
  cancelTitle: 'Cancel this booking?',
  cancelIntro: 'The slot becomes free at once. The booking is kept, with status cancelled.',
  reasonLabel: 'Reason (optional)',
  reasonTooLong: (max: number) => `Give a reason of at most ${max} characters.`,
  confirmCancellation: 'Confirm cancellation',
  keepBooking: 'Keep the booking',
  cancelled: 'The booking is cancelled.',
  cannotCancelReplaced: 'The contact booked another slot, which replaced this booking.',
  backToDay: 'Show its day',

  errorTitle: (status: number) => (status === 404 ? 'Not found' : status === 429 ? 'Too many attempts' : 'Error'),
  errorDetail: (status: number) =>
    status === 404
      ? 'There is nothing here.'
      : status === 403
        ? 'The form has expired. Go back, reload the page and try again.'
        : status === 429
          ? 'Too many sign-in attempts. Wait a minute and try again.'
          : status >= 500
            ? 'Something went wrong on the server. Try again in a moment.'
            : 'The request was not understood.',
} as const;
