/**
 * The structure of slotline.yaml as written, after `${VAR}` expansion.
 *
 * The schema checks shape and simple bounds only. Values whose syntax needs a
 * specific message quoting the value (durations, hour ranges, weekday and
 * date keys, time zones) are plain strings here and are checked while
 * normalising in normalise.ts and hours.ts. Every object rejects unknown keys, so a
 * typo in scheduling config fails loudly instead of being ignored.
 */
import Type from 'typebox';

/**
 * `90s`, `30m`, `2h`, `14d`, or a bare number of minutes (see duration.ts).
 * The description doubles as the error message when the value is neither.
 */
const Duration = Type.Union([Type.Number(), Type.String()], {
  description: 'a duration such as 90s, 30m, 2h or 14d',
});

/** Keyed by weekday (`mon`) or weekday range (`mon-fri`); values are "HH:MM-HH:MM" strings. */
const Hours = Type.Record(Type.String(), Type.Array(Type.String()));

/** Keyed by date `YYYY-MM-DD`; values as in Hours, `[]` closes the day. */
const Overrides = Type.Record(Type.String(), Type.Array(Type.String()));

const Source = Type.Object(
  {
    type: Type.Enum(['ics', 'caldav']),
    url: Type.String({ minLength: 1 }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    write_bookings: Type.Optional(Type.Boolean()),
    /** `512KB`, `10MB`, `1GB` (see size.ts); checked while normalising. */
    max_size: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Resource = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String({ minLength: 1 })),
    hours: Type.Optional(Hours),
    overrides: Type.Optional(Overrides),
    sources: Type.Optional(Type.Array(Source)),
    sync_every: Type.Optional(Duration),
    on_stale: Type.Optional(Type.Enum(['keep', 'block'])),
    /** Where the staff member gets mail about their bookings; checked while normalising. */
    email: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Calendar = Type.Object(
  {
    // JSON Schema patterns have no flags, so the case-insensitive id rule spells out both cases.
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' }),
    name: Type.Optional(Type.String({ minLength: 1 })),
    timezone: Type.String(),
    language: Type.Optional(Type.Enum(['en', 'de'])),
    country: Type.Optional(Type.String()),
    duration: Duration,
    interval: Type.Optional(Duration),
    buffer_before: Type.Optional(Duration),
    buffer_after: Type.Optional(Duration),
    min_notice: Type.Optional(Duration),
    horizon: Type.Optional(Duration),
    max_slots: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    max_per_day: Type.Optional(Type.Integer({ minimum: 1 })),
    on_rebook: Type.Optional(Type.Enum(['replace', 'keep_both', 'reject'])),
    booking: Type.Optional(Type.Boolean()),
    hours: Hours,
    overrides: Type.Optional(Overrides),
    assignment: Type.Optional(Type.Enum(['round_robin', 'least_busy', 'ordered'])),
    resources: Type.Optional(Type.Array(Resource, { minItems: 1 })),
    feed_token: Type.Optional(Type.String()),
    event_details: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

/** Confirmations and reminders by e-mail; the URL and addresses are checked while normalising. */
const Email = Type.Object(
  {
    smtp_url: Type.String({ minLength: 1 }),
    from: Type.String({ minLength: 1 }),
    to_contact: Type.Optional(Type.Boolean()),
    to_resource: Type.Optional(Type.Boolean()),
    remind_before: Type.Optional(Duration),
    retry_schedule: Type.Optional(Type.Array(Duration)),
  },
  { additionalProperties: false },
);

const Webhook = Type.Object(
  {
    url: Type.String({ minLength: 1 }),
    /** `whsec_<base64>`; checked while normalising, which never quotes it. */
    secret: Type.String(),
    events: Type.Optional(Type.Array(Type.String())),
    calendars: Type.Optional(Type.Array(Type.String())),
    retry_schedule: Type.Optional(Type.Array(Duration)),
  },
  { additionalProperties: false },
);

export const RawConfigSchema = Type.Object(
  {
    // 0 asks the OS for a free port, which tests rely on.
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    host: Type.Optional(Type.String({ minLength: 1 })),
    database: Type.Optional(Type.String({ minLength: 1 })),
    // Null (a key with every entry commented out) and null entries mean "no key".
    signing_keys: Type.Optional(
      Type.Union([Type.Array(Type.Union([Type.String(), Type.Null()])), Type.Null()], {
        description: 'a list of keys',
      }),
    ),
    database_pool: Type.Optional(
      Type.Object(
        {
          max: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          connect_timeout: Type.Optional(Duration),
          statement_timeout: Type.Optional(Duration),
          idle_timeout: Type.Optional(Duration),
        },
        { additionalProperties: false },
      ),
    ),
    metrics_token: Type.Optional(Type.String()),
    admin: Type.Optional(
      Type.Object(
        {
          tokens: Type.Array(
            Type.Object({ name: Type.String({ minLength: 1 }), token: Type.String() }, { additionalProperties: false }),
            { minItems: 1 },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    email: Type.Optional(Email),
    calendars: Type.Array(Calendar, { minItems: 1 }),
    webhooks: Type.Optional(Type.Array(Webhook)),
  },
  { additionalProperties: false },
);

export type RawConfig = Type.Static<typeof RawConfigSchema>;
export type RawCalendar = RawConfig['calendars'][number];
export type RawAdmin = NonNullable<RawConfig['admin']>;
export type RawEmail = NonNullable<RawConfig['email']>;
export type RawWebhook = NonNullable<RawConfig['webhooks']>[number];
export type RawResource = NonNullable<RawCalendar['resources']>[number];
export type RawSource = NonNullable<RawResource['sources']>[number];
/** The shape of both `hours` and `overrides`: key → list of "HH:MM-HH:MM". */
export type RawRanges = RawCalendar['hours'];
