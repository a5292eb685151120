/** One event of a `text/event-stream`: its `event:` name ('message' unless given) and its `data:` lines joined by '\n'. */
export interface SseEvent {
  event: string;
  data: string;
}

export class SseLineTooLong extends Error {
  override name = 'SseLineTooLong';
}

/**
 * Turns decoded text, in pieces as they come off the socket, into events (the WHATWG event-stream rules:
 * lines end in CRLF, LF or CR, a blank line ends an event, lines starting with ':' are comments, `id` and
 * `retry` are ignored). Holds at most one unfinished line and one event's data; past `maxLength` characters
 * either one throws SseLineTooLong, so a server that never ends a line cannot fill the memory.
 */
export class SseDecoder {
  private line = '';
  private data: string[] = [];
  private dataLength = 0;
  private event = '';
  /** The last piece ended in CR: an LF at the start of the next belongs to that line break. */
  private afterCR = false;

  constructor(private readonly maxLength = 1024 * 1024) {}

  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    if (this.afterCR && text.startsWith('\n')) start = 1;
    this.afterCR = false;
    for (let i = start; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char !== 10 && char !== 13) continue;
      this.takeLine(this.line + text.slice(start, i), events);
      this.line = '';
      if (char === 13) {
        if (i + 1 === text.length) this.afterCR = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    if (start < text.length) {
      if (this.line.length + text.length - start > this.maxLength) {
        throw new SseLineTooLong(`an event-stream line is longer than ${this.maxLength} characters`);
      }
      this.line += text.slice(start);
    }
    return events;
  }

  private takeLine(line: string, events: SseEvent[]) {
    if (line.length > this.maxLength) {
      throw new SseLineTooLong(`an event-stream line is longer than ${this.maxLength} characters`);
    }
    if (line === '') {
      if (this.data.length > 0) events.push({ event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.dataLength = 0;
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.dataLength += value.length + 1;
      if (this.dataLength > this.maxLength) {
        throw new SseLineTooLong(`an event-stream event is longer than ${this.maxLength} characters`);
      }
      this.data.push(value);
    } else if (field === 'event') {
      this.event = value;
    }
  }
}
