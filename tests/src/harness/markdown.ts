// Just enough of Markdown to check the documentation the way GitHub renders it: fenced code
// blocks, headings and the anchors GitHub makes of them, and relative links. No dependency:
// the rules are few, and a parser library would hide the one that matters (the slugs).

export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The opening fence line as written, info string included (```bash). */
  fence: string;
  /** The lines between the fences, joined with \n. */
  body: string;
}

export interface Link {
  line: number;
  target: string;
}

/** The fenced code blocks (``` or ~~~, three or more) in the order they appear. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(lines[i]!);
    if (!open) continue;
    const marker = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      if (close.test(lines[j]!)) break;
      body.push(lines[j]!);
    }
    blocks.push({ line: i + 1, fence: lines[i]!.trim(), body: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The lines outside fenced code blocks (others blanked, so line numbers stay true). */
function proseLines(markdown: string): string[] {
  const lines = markdown.split('\n');
  for (const block of codeBlocks(markdown)) {
    const end = block.line + block.body.split('\n').length; // the closing fence's index
    for (let i = block.line - 1; i <= end && i < lines.length; i++) lines[i] = '';
  }
  return lines;
}

/** A heading's text as GitHub renders it: inline code, emphasis, links and HTML reduced to their text. */
function renderedText(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .trim();
}

/**
 * GitHub's anchor for a heading text (github-slugger): lower case, then every character
 * removed except letters and other alphabetic characters, marks, decimal and letter numbers,
 * connectors (`_`), hyphens and spaces; each space becomes a hyphen. Kana and kanji are
 * alphabetic, so Japanese headings keep their words, while their punctuation (（）：、・) goes
 * like ASCII punctuation does.
 */
export function githubSlug(text: string): string {
  return renderedText(text)
    .toLowerCase()
    .replace(/[^\p{Alphabetic}\p{M}\p{Nd}\p{Nl}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Every anchor a file offers: its headings' slugs, numbered as github-slugger does when one
 * repeats (foo, foo-1, foo-2; a numbered slug already taken is skipped).
 */
export function anchors(markdown: string): Set<string> {
  const occurrences = new Map<string, number>();
  const result = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (!heading) continue;
    const base = githubSlug(heading[1]!);
    let slug = base;
    while (result.has(slug)) {
      const count = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, count);
      slug = `${base}-${count}`;
    }
    result.add(slug);
  }
  return result;
}

/** The targets of inline links and images outside code, and of reference definitions. */
export function links(markdown: string): Link[] {
  const result: Link[] = [];
  proseLines(markdown).forEach((raw, index) => {
    const line = raw.replace(/`[^`]*`/g, ''); // inline code is not a link
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) result.push({ line: index + 1, target: match[1]! });
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (definition) result.push({ line: index + 1, target: definition[1]! });
  });
  return result;
}

/** A link that leaves the repository (a URL with a scheme) is not ours to check. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}
