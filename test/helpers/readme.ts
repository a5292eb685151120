import { readFileSync } from 'node:fs';

const README = new URL('../../README.md', import.meta.url);

/** The fenced code blocks of one language under a README heading, in order, as written. */
export function readmeCodeBlocks(heading: string, language: string): string[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no heading "${heading}"`);
  const next = text.indexOf('\n## ', start + heading.length + 1);
  const section = text.slice(start, next === -1 ? undefined : next);
  const fence = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...section.matchAll(fence)].map((match) => match[1]!);
}

/** The base URL the README's snippets use. */
export const README_BASE_URL = 'http://127.0.0.1:8080/v1';

/** The endpoint the README's Azure snippets use (AzureOpenAI adds `/openai` itself). */
export const README_ENDPOINT = 'http://127.0.0.1:8080';
