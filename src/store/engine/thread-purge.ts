/**
 * Deleting a thread hides it at once, in one short write: the row moves to this tenant, which no API key
 * maps to, under an id of its own (so its real id is free again), its metadata and tool resources cleared.
 * Its messages are then purged in the background, a short step at a time, and the row last; a purge cut
 * short by a restart resumes when the store opens again. No write ever deletes a whole big thread at once.
 */
export const PURGING_TENANT = 'deleted:';

export interface PurgeSteps {
  /** The seqs of the threads hidden by a delete and not yet purged. */
  pending(): Promise<number[]>;
  /** Deletes a bounded part of the thread's rows; true once the thread is gone. */
  step(seq: number): Promise<boolean>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One purge at a time; `wake` after each delete. A failed step ends the run until the next wake. */
export function backgroundPurge(steps: PurgeSteps, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  let wanted = false;
  let closed = false;

  async function run() {
    while (wanted && !closed) {
      wanted = false;
      for (const seq of await steps.pending()) {
        while (!closed && !(await steps.step(seq))) await nextTurn();
      }
    }
  }

  function wake(): void {
    wanted = true;
    if (running || closed) return;
    running = run()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (wanted) wake();
      });
  }

  return {
    wake,
    /** Stops after the step under way; what is left resumes at the next open. */
    async close() {
      closed = true;
      await running;
    },
  };
}
