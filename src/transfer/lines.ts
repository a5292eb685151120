import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A line of a file, numbered from 1, or the size of one too long to keep. */
export type Line = { number: number; text: string } | { number: number; tooLong: number };

/**
 * The lines of a stream of UTF-8 (bytes or strings), split at LF (a CR before it dropped), a chunk at a time. A line longer
 * than `maxBytes` is not kept: its bytes are counted and let go as they come, so memory stays near
 * `maxBytes` whatever the file holds (readline keeps a whole line, however long, as one string).
 */
export async function* linesOf(input: Readable, maxBytes: number): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let parts: string[] = [];
  let size = 0;
  let number = 0;
  const take = (piece: Buffer) => {
    size += piece.length;
    if (size <= maxBytes) parts.push(decoder.write(piece));
    else parts = [];
  };
  const end = (): Line => {
    number++;
    const tail = decoder.end(); // also forgets the start of a character cut off in a line too long
    const line =
      size > maxBytes ? { number, tooLong: size } : { number, text: (parts.join('') + tail).replace(/\r$/, '') };
    parts = [];
    size = 0;
    return line;
  };
  for await (const data of input as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      take(chunk.subarray(start, newline));
      yield end();
      start = newline + 1;
    }
    take(chunk.subarray(start));
  }
  if (size > 0) yield end();
}
