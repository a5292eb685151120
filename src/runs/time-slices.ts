/**
 * Time slices for the runs' work, shared by every run of the process. Under load each upstream socket has
 * chunks waiting at every turn of the event loop, and each chunk read is decoded, stored and sent on at once:
 * one turn then holds every run's chunks, and a request arriving meanwhile (`GET /health`, a run create)
 * waits for all of them. Work that awaits `nextSlice()` before each of its pieces goes on at once while the
 * run work since the event loop last polled for I/O has lasted under SLICE_MS; past that it waits, first come
 * first served, until the loop has polled again. No turn holds much more than a slice of run work, and the
 * work itself is not slower: it waits only while other work runs.
 */

/** How long run work may hold the event loop before it lets the loop poll for I/O. */
export const SLICE_MS = 10;

const waiting: (() => void)[] = [];
let sliceStarted = 0;
/** A slice is open until the loop next runs its immediates, which it does right after polling for I/O. */
let sliceOpen = false;
let releasing = false;

/** Undefined when the work may go on now, else a promise that resolves when its turn has come. */
export function nextSlice(): Promise<void> | undefined {
  if (waiting.length === 0) {
    const now = performance.now();
    if (!sliceOpen) startSlice(now);
    if (now - sliceStarted < SLICE_MS) return undefined;
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    scheduleRelease();
  });
}

function startSlice(now: number) {
  sliceStarted = now;
  if (sliceOpen) return;
  sliceOpen = true;
  setImmediate(() => {
    sliceOpen = false;
  });
}

function scheduleRelease() {
  if (releasing) return;
  releasing = true;
  setImmediate(() => {
    releasing = false;
    startSlice(performance.now());
    releaseNext();
  });
}

/** Lets the next waiting piece of work go on, then (once it has run to its next await) the one after it. */
function releaseNext() {
  if (waiting.length === 0) return;
  if (performance.now() - sliceStarted >= SLICE_MS) return scheduleRelease();
  waiting.shift()!();
  queueMicrotask(releaseNext);
}
