/**
 * Errors that faultline reports to a person as one clear line (CLI exit code 1).
 * Anything else that escapes is a bug in faultline itself.
 */
export class FaultlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultlineError';
  }
}

/** Bad input from the user: unknown model, variant or param, a value of the wrong type. */
export class UsageError extends FaultlineError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The model itself misbehaved: it threw, or it is not deterministic. */
export class ModelError extends FaultlineError {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'ModelError';
  }
}

/** Thrown when an action of the model throws: names the action (the explorer adds the state). */
export class ActionError extends ModelError {
  constructor(
    readonly action: string,
    readonly thrown: unknown,
  ) {
    super(`action ${action} threw: ${describeThrown(thrown)}`, thrown);
    this.name = 'ActionError';
  }
}

/** One line describing a thrown value, whatever it is. */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name === 'Error' ? '' : e.name + ': '}${e.message}`.split('\n')[0] ?? '';
  return String(e).split('\n')[0] ?? '';
}
