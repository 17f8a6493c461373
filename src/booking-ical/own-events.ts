/** Slotline's own written-back events carry this UID suffix: they are bookings, not busy time. */
export const OWN_UID_SUFFIX = '@slotline';

export function isOwnEvent(uid: string): boolean {
  return uid.endsWith(OWN_UID_SUFFIX);
}
