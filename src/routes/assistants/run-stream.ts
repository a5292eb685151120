import type { FastifyReply } from 'fastify';
import { STREAM_ENDS } from '../../runs/lifecycle.js';
import type { RunBus, RunEvent } from '../../runs/run-bus.js';
import { openEventStream } from '../../http/sse.js';
import { toWireEvent } from '../../views/run-events.js';

/**
 * Answers with the run's events as `text/event-stream`, from the moment this is called (call it before
 * anything happens to the run) until the run finishes or needs action, then `done`. A client that goes
 * away only stops the stream: the run goes on, and can be polled.
 */
export function streamRunEvents(reply: FastifyReply, bus: RunBus, runId: string): Promise<void> {
  const stream = openEventStream(reply);
  let sending = Promise.resolve();
  return new Promise<void>((resolve) => {
    const unsubscribe = bus.subscribe(runId, (event: RunEvent) => {
      const wire = toWireEvent(event);
      sending = sending.then(async () => {
        await stream.send(wire.event, wire.data);
        if (event.type === 'run.status' && STREAM_ENDS.includes(event.run.status)) {
          unsubscribe();
          stream.done();
          resolve();
        }
      });
    });
    stream.onClose(() => {
      unsubscribe();
      resolve();
    });
  });
}
