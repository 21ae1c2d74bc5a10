/**
 * Event fields that hold a credential's hash: kept in the record (a login is checked against
 * them), never shown outside it. A certified copy or an auditor's view names each field it left
 * out, so nothing is hidden silently.
 */
export const secretFieldsOfEvent: Readonly<Record<string, readonly string[]>> = {
  PasswordSet: ['passwordHash'],
  PasswordResetRequested: ['passwordHash'],
  SessionStarted: ['tokenHash'],
  ApiTokenIssued: ['tokenHash'],
};

export const REDACTED = '[redacted]';

/** The event's data with its secret fields replaced, and the names of those replaced. */
export function redactSecrets(type: string, data: unknown): { data: unknown; redacted: string[] } {
  const fields = secretFieldsOfEvent[type] ?? [];
  if (fields.length === 0 || typeof data !== 'object' || data === null) return { data, redacted: [] };
  const copy = { ...(data as Record<string, unknown>) };
  const redacted = fields.filter((field) => field in copy);
  for (const field of redacted) copy[field] = REDACTED;
  return { data: copy, redacted };
}

const SECRET_KEYS: ReadonlySet<string> = new Set(Object.values(secretFieldsOfEvent).flat());

/** A folded state (or any JSON value) with every credential hash in it replaced, at any depth. */
export function redactSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecretFields);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_KEYS.has(key) && inner !== null ? REDACTED : redactSecretFields(inner),
    ]),
  );
}
