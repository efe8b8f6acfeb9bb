// One error type with a stable code; the message is written for a person, the code for programs.
export type ErrorCode = 'INVALID_ARGS' | 'NOT_FOUND' | 'FORBIDDEN' | 'RATE_LIMITED' | 'CONFLICT' | 'INTERNAL';

export class PulseError extends Error {
  readonly code: ErrorCode;
  /** Extra words for the person: a usage line, the closest matches, what to try next. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'PulseError';
    this.code = code;
    this.hint = hint;
  }
}

export const invalidArgs = (message: string, hint?: string) => new PulseError('INVALID_ARGS', message, hint);
export const notFound = (message: string, hint?: string) => new PulseError('NOT_FOUND', message, hint);
export const forbidden = (message: string, hint?: string) => new PulseError('FORBIDDEN', message, hint);
