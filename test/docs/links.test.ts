import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Every relative link and anchor of the documentation resolves: README.md, BENCHMARKS.md and the pages of
 * docs/ (not docs/pending/, texts waiting for the lead), and every `README.md#…` / `docs/….md#…` that code,
 * tests, scripts or the OpenAPI document cite.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const docsPages = readdirSync(join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const pages = ['README.md', 'BENCHMARKS.md', ...docsPages];

/** The lines of a Markdown page outside fenced code blocks, with inline code spans blanked out. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').flatMap((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return fenced || line.startsWith('```') ? [] : [line.replace(/`[^`]*`/g, '``')];
  });
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(page: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of readFileSync(join(root, page), 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6} (.+)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replaceAll(' ', '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Why a link target (a path relative to `from`, a `#anchor`, or both) does not resolve, or undefined when it does. */
function brokenReason(from: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? from : relative(root, resolve(root, dirname(from), decodeURIComponent(path)));
  if (file.startsWith('..')) return 'outside the repository';
  if (!existsSync(join(root, file))) return `no file ${file}`;
  if (anchor === undefined) return undefined;
  if (statSync(join(root, file)).isDirectory() || !file.endsWith('.md')) return `an anchor into ${file}`;
  return anchorsOf(file).has(anchor) ? undefined : `no heading #${anchor} in ${file}`;
}

/** The relative targets of a page's links and images: `[text](target)`, `![alt](target)`. */
function relativeLinks(page: string): string[] {
  const text = readFileSync(join(root, page), 'utf8');
  return proseLines(text).flatMap((line) =>
    [...line.matchAll(/\]\(([^()\s]+)(?: "[^"]*")?\)/g)].map((match) => match[1]!).filter((t) => !/^[a-z]+:/i.test(t)),
  );
}

/** Every file under a folder, skipping dependencies and OpenAI's fixtures. */
function filesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.name === 'node_modules' || entry.name === 'fixtures') return [];
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe('documentation links', () => {
  it('finds the pages and their links', () => {
    expect(docsPages).toEqual(expect.arrayContaining(['docs/security.md', 'docs/conversations.md']));
    expect(relativeLinks('README.md').length).toBeGreaterThan(10);
  });

  it.each(pages)('every relative link and anchor of %s resolves', (page) => {
    const broken = relativeLinks(page).flatMap((target) => {
      const reason = brokenReason(page, target);
      return reason === undefined ? [] : [`${target}: ${reason}`];
    });
    expect(broken).toEqual([]);
  });

  it('the README links to every page of docs/', () => {
    const linked = new Set(relativeLinks('README.md').map((target) => target.split('#')[0]));
    expect(docsPages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('every page of docs/ opens with its title and one line saying what it is for', () => {
    for (const page of docsPages) {
      const [title = '', blank, purpose = '', after] = readFileSync(join(root, page), 'utf8').split('\n');
      expect({ page, title: title.startsWith('# '), blank, purpose: purpose.trim().length > 0, after }).toEqual({
        page,
        title: true,
        blank: '',
        purpose: true,
        after: '',
      });
    }
  });

  it('every README.md#… or docs/….md#… cited by code, tests, scripts or the OpenAPI document resolves', () => {
    const files = [...['src', 'test', 'scripts', 'bench'].flatMap(filesUnder), 'openapi.yaml'];
    const broken = files.flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/\b(?:README|docs\/[\w-]+)\.md(?:#[\w-]+)?/g)].flatMap(
        ([citation]) => {
          const reason = brokenReason('README.md', citation);
          return reason === undefined ? [] : [`${file}: ${citation}: ${reason}`];
        },
      ),
    );
    expect(broken).toEqual([]);
  });
});
