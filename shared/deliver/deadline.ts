/**
 * Invocation deadlines. A function keeps part of its time back to park failures and answer
 * SQS; every network call is bounded by what is left, so a stalled dependency fails the affected
 * records (SQS retries them) instead of running the function into its timeout.
 */

/** Time kept back from the invocation budget: 10%, at least 2 s. Integer (timers need one). */
function deadlineFrom(remainingMs: number): number {
  return Math.floor(Date.now() + remainingMs - Math.max(2_000, remainingMs / 10));
}

/**
 * The last moment for the calls that close an invocation (DLQ parking, visibility changes): the
 * invocation's end less 250 ms to return the response. Integer.
 */
function endOf(remainingMs: number): number {
  return Math.floor(Date.now() + Math.max(1, remainingMs - 250));
}

/** An abort signal that fires at `deadlineMs` (at least 1 ms from now). */
function signalUntil(deadlineMs: number): AbortSignal {
  return AbortSignal.timeout(Math.max(1, Math.floor(deadlineMs - Date.now())));
}

export { deadlineFrom, endOf, signalUntil };
