/** Where the engine reports what happens; the Nest module passes its logger. */
export interface ProjectionLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Failures must never pass silently (GMP), so the default still reports warnings and errors. */
export const consoleProjectionLogger: ProjectionLogger = {
  info: () => undefined,
  warn: (message, fields) => console.warn(message, fields ?? ''),
  error: (message, fields) => console.error(message, fields ?? ''),
};

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
