/** `+` and digits: how phones are stored in telegram_sessions.phone and looked up. */
export function normalizePhone(phone: string): string {
  return `+${phone.replace(/\D/g, '')}`;
}
