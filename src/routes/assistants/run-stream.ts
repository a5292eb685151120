import type { FastifyReply } from 'fastify';
import { STREAM_ENDS } from '../../runs/lifecycle.js';
import type { RunBus, RunEvent } from '../../runs/run-bus.js';
import { type EventStream, openEventStream } from '../../http/sse.js';
import { toWireEvent } from '../../views/run-events.js';

/**
 * Answers with the run's events as `text/event-stream`, from the moment this is called (call it before
 * anything happens to the run) until the run finishes or needs action, then `done`. A client that goes
 * away only stops the stream: the run goes on, and can be polled.
 *
 * The response opens on the next turn of the event loop, its events kept until then: a run created or
 * resumed in this turn sends its request to the model first, so that the model's time to first token starts
 * before the stream's first writes rather than after them. A request answered meanwhile (an error after
 * this was called) gets no stream.
 */
export function streamRunEvents(reply: FastifyReply, bus: RunBus, runId: string): Promise<void> {
  return new Promise<void>((resolve) => {
    let stream: EventStream | undefined;
    const finish = () => {
      unsubscribe();
      resolve();
    };
    let sending = new Promise<void>((nextTurn) => setImmediate(nextTurn));
    const then = (work: () => Promise<void> | void) => {
      sending = sending.then(work).catch((error: unknown) => {
        reply.log.error({ err: error, runId }, 'run stream failed');
        stream?.done();
        finish();
      });
    };
    then(() => {
      if (reply.sent) return finish();
      stream = openEventStream(reply);
      stream.onClose(finish);
    });
    const unsubscribe = bus.subscribe(runId, (event: RunEvent) => {
      const wire = toWireEvent(event);
      then(async () => {
        if (!stream) return;
        await stream.send(wire.event, wire.data);
        if (event.type === 'run.status' && STREAM_ENDS.includes(event.run.status)) {
          stream.done();
          finish();
        }
      });
    });
  });
}
