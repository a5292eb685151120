import { readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);

/**
 * The fenced code blocks of one language under a heading of a Markdown page (`README.md`, `docs/…`), in
 * order, as written: the section runs to the next heading of the same or a higher level outside a fence.
 */
export function markdownCodeBlocks(page: string, heading: string, language: string): string[] {
  const lines = readFileSync(new URL(page, ROOT), 'utf8').split('\n');
  const level = heading.indexOf(' ');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`${page} has no heading "${heading}"`);
  const blocks: string[] = [];
  let fence: string | undefined; // the language of the open fence
  let body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (fence === undefined) {
      const depth = /^(#+) /.exec(line)?.[1]?.length;
      if (depth !== undefined && depth <= level) break;
      if (line.startsWith('```')) [fence, body] = [line.slice(3), []];
    } else if (line === '```') {
      if (fence === language) blocks.push(`${body.join('\n')}\n`);
      fence = undefined;
    } else {
      body.push(line);
    }
  }
  return blocks;
}

/** The base URL the README's snippets use. */
export const README_BASE_URL = 'http://127.0.0.1:8080/v1';

/** The endpoint the README's Azure snippets use (AzureOpenAI adds `/openai` itself). */
export const README_ENDPOINT = 'http://127.0.0.1:8080';
