/**
 * Runs tasks one at a time, in call order. Both syslog transports serialize their sends with it:
 * concurrent sends would race to open two sockets and interleave their batches.
 */
class SerialQueue {
  /** the last queued task, settled either way */
  #tail: Promise<void> = Promise.resolve();

  /** Run `task` after every task queued before it; its result (or rejection) goes to the caller. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // the queue only needs to know the task finished; the caller handles the outcome
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once every task queued so far has finished. */
  idle(): Promise<void> {
    return this.#tail;
  }
}

export { SerialQueue };
