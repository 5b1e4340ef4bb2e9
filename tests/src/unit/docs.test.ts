import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fromRoot } from '@demo/tools';
import { anchors, codeBlocks, githubSlug, isExternal, links } from '../harness/markdown';

// The documentation as a reader meets it on GitHub: every relative link and #anchor lands
// somewhere, the README stays short enough to read, and the Japanese README runs exactly the
// commands of the English one (a command changed in one file and not the other fails here).

const README_LIMIT_BYTES = 20_000;

/** README.md, README.ja.md, docs/**, the chart's, the web UI's and the services' READMEs. */
function documentationFiles(): string[] {
  const docs = fs.readdirSync(fromRoot('docs'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.md'));
  const services = fs.readdirSync(fromRoot('services')).filter((dir) => fs.existsSync(fromRoot('services', dir, 'README.md')));
  return [
    'README.md',
    'README.ja.md',
    ...docs.map((file) => path.join('docs', file)),
    'charts/otel-demo/README.md',
    'web-ui/README.md',
    'tools/README.md',
    'trace-verdict/README.md',
    ...services.map((dir) => path.join('services', dir, 'README.md')),
  ];
}

const anchorsOf = new Map<string, Set<string>>();
function anchorsOfFile(file: string): Set<string> {
  if (!anchorsOf.has(file)) anchorsOf.set(file, anchors(fs.readFileSync(file, 'utf8')));
  return anchorsOf.get(file)!;
}

/** What is wrong with each relative link of a file, as "file:line target: reason". */
function brokenLinks(file: string, markdown = fs.readFileSync(fromRoot(file), 'utf8')): string[] {
  const problems: string[] = [];
  for (const { line, target } of links(markdown)) {
    if (isExternal(target)) continue;
    const where = `${file}:${line} ${target}`;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = pathPart === '' ? fromRoot(file) : path.resolve(path.dirname(fromRoot(file)), pathPart);
    if (path.relative(fromRoot(), resolved).startsWith('..')) {
      problems.push(`${where}: leaves the repository`);
      continue;
    }
    if (pathPart !== '' && !fs.existsSync(resolved)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md')) {
      if (!/^L\d+(-L\d+)?$/.test(anchor)) problems.push(`${where}: an anchor into a file that is not Markdown`);
      continue;
    }
    const offered = pathPart === '' ? anchors(markdown) : anchorsOfFile(resolved);
    if (!offered.has(anchor)) problems.push(`${where}: no heading makes #${anchor}`);
  }
  return problems;
}

test("GitHub's heading anchors: punctuation and emoji go, letters of any script stay, repeats are numbered", () => {
  assert.equal(githubSlug('Without Docker: `npm run local`'), 'without-docker-npm-run-local');
  assert.equal(githubSlug('`off` against `limit`, and memory'), 'off-against-limit-and-memory');
  assert.equal(githubSlug('Faults: the `demo.fault` baggage'), 'faults-the-demofault-baggage');
  assert.equal(
    githubSlug('Tempo, Loki and Grafana: each key against the upstream source'),
    'tempo-loki-and-grafana-each-key-against-the-upstream-source',
  );
  assert.equal(githubSlug('**Bold** and [a link](x.md)'), 'bold-and-a-link');
  // The seed's Japanese headings, as GitHub renders them.
  assert.equal(githubSlug('🚀 クイックスタート'), '-クイックスタート');
  assert.equal(githubSlug('Envoyサイドカーアーキテクチャ（ヘッダー伝播なし版）'), 'envoyサイドカーアーキテクチャヘッダー伝播なし版');
  assert.equal(githubSlug('Docker なしで：`npm run local`'), 'docker-なしでnpm-run-local');
  assert.equal(githubSlug('学習ポイント・トレースID相関'), '学習ポイントトレースid相関');
  assert.equal(githubSlug('Step ① of C#'), 'step--of-c');
  assert.deepEqual([...anchors('# Logs\n\n```\n# not a heading\n```\n\n## Logs ##\n### Logs')], ['logs', 'logs-1', 'logs-2']);
  // github-slugger's own fixture: a numbered slug already taken by a heading is skipped.
  assert.deepEqual(
    [...anchors(['# echo', '# echo', '# echo 1', '# echo-1', '# echo'].join('\n'))],
    ['echo', 'echo-1', 'echo-1-1', 'echo-1-2', 'echo-2'],
  );
});

test('the link checker finds a missing file, a missing anchor and a link out of the repository, and passes good links', () => {
  const probe = [
    '[ok](architecture.md#api)',
    '[ok](#here)',
    '## Here',
    '[gone](no-such-page.md)',
    '[no anchor](architecture.md#no-such-heading)',
    '[out](../../elsewhere.md)',
    '`[code](not-a-link.md)`',
    '[web](https://example.com/x.md)',
  ].join('\n');
  const problems = brokenLinks('docs/probe.md', probe);
  assert.deepEqual(problems, [
    'docs/probe.md:4 no-such-page.md: no such file',
    'docs/probe.md:5 architecture.md#no-such-heading: no heading makes #no-such-heading',
    'docs/probe.md:6 ../../elsewhere.md: leaves the repository',
  ]);
});

test('every relative link and #anchor in the READMEs and docs/ resolves', () => {
  const files = documentationFiles();
  assert.ok(files.length >= 15, `only ${files.length} files found: ${files.join(', ')}`);
  for (const file of files) assert.ok(fs.existsSync(fromRoot(file)), `${file} is missing`);
  const problems = files.flatMap((file) => brokenLinks(file));
  assert.deepEqual(problems, []);
});

test('every page in docs/ is linked from README.md, and the two READMEs link to each other', () => {
  const readme = fs.readFileSync(fromRoot('README.md'), 'utf8');
  const targets = new Set(links(readme).map(({ target }) => target.split('#')[0]));
  const pages = fs.readdirSync(fromRoot('docs')).filter((file) => file.endsWith('.md'));
  assert.deepEqual(
    pages.filter((page) => !targets.has(`docs/${page}`)),
    [],
    'docs pages the README does not link',
  );
  assert.ok(targets.has('README.ja.md'), 'README.md links README.ja.md');
  const japanese = fs.readFileSync(fromRoot('README.ja.md'), 'utf8');
  assert.ok(
    links(japanese).some(({ target }) => target === 'README.md'),
    'README.ja.md links README.md',
  );
});

test("README.ja.md has README.md's code blocks, byte for byte, in the same order", () => {
  const english = codeBlocks(fs.readFileSync(fromRoot('README.md'), 'utf8'));
  const japanese = codeBlocks(fs.readFileSync(fromRoot('README.ja.md'), 'utf8'));
  assert.ok(english.length >= 5, `only ${english.length} code blocks in README.md`);
  for (let i = 0; i < Math.max(english.length, japanese.length); i++) {
    const en = english[i];
    const ja = japanese[i];
    assert.ok(en && ja, `README.md has ${english.length} code blocks, README.ja.md ${japanese.length}`);
    assert.equal(
      `${ja.fence}\n${ja.body}`,
      `${en.fence}\n${en.body}`,
      `code block ${i + 1}: README.md line ${en.line}, README.ja.md line ${ja.line}`,
    );
  }
});

test(`README.md stays a front door: at most ${README_LIMIT_BYTES} bytes`, () => {
  const bytes = fs.statSync(fromRoot('README.md')).size;
  assert.ok(bytes <= README_LIMIT_BYTES, `README.md is ${bytes} bytes; move detail into docs/`);
});

// Japanese, kana and full-width punctuation: GitHub turns a line break between two of them
// into a space, in the middle of a word ("動かし ます").
const CJK = /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

/** "file:line" of every line break between two CJK characters, outside code blocks. */
function cjkLineBreaks(file: string, markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split('\n');
  let inCode = false;
  for (let i = 0; i < lines.length - 1; i++) {
    if (/^\s*(```|~~~)/.test(lines[i]!)) inCode = !inCode;
    if (inCode || /^\s*(```|~~~)/.test(lines[i + 1]!)) continue;
    const before = lines[i]!.at(-1) ?? '';
    const after = lines[i + 1]!.trimStart()[0] ?? '';
    if (CJK.test(before) && CJK.test(after)) problems.push(`${file}:${i + 1}`);
  }
  return problems;
}

const japaneseFiles = () => [
  'README.ja.md',
  ...fs
    .readdirSync(fromRoot('docs', 'ja'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', 'ja', file)),
];

test('no line break between two Japanese characters in any Japanese page (GitHub would show a space there)', () => {
  assert.deepEqual(cjkLineBreaks('probe.md', '動かし\nます\nok\n```\n日本\n語\n```\nEnvoy の\nsidecar'), ['probe.md:1']);
  const files = japaneseFiles();
  assert.ok(files.length >= 4, files.join(', '));
  assert.deepEqual(
    files.flatMap((file) => cjkLineBreaks(file, fs.readFileSync(fromRoot(file), 'utf8'))),
    [],
  );
});

test('each page of docs/ja/ has an English twin that links to it, and links back to it', () => {
  for (const file of fs.readdirSync(fromRoot('docs', 'ja')).filter((name) => name.endsWith('.md'))) {
    const english = fs.readFileSync(fromRoot('docs', file), 'utf8');
    assert.ok(
      links(english).some(({ target }) => target.split('#')[0] === `ja/${file}`),
      `docs/${file} links its Japanese twin docs/ja/${file}`,
    );
    const japanese = fs.readFileSync(fromRoot('docs', 'ja', file), 'utf8');
    assert.ok(
      links(japanese).some(({ target }) => target.split('#')[0] === `../${file}`),
      `docs/ja/${file} links its English twin`,
    );
  }
  const readme = fs.readFileSync(fromRoot('README.ja.md'), 'utf8');
  for (const file of fs.readdirSync(fromRoot('docs', 'ja')).filter((name) => name.endsWith('.md')))
    assert.ok(
      links(readme).some(({ target }) => target.split('#')[0] === `docs/ja/${file}`),
      `README.ja.md links docs/ja/${file}`,
    );
});

test("every package's README names each of its source files, by its path in the package", () => {
  const packages = [
    'tools',
    'trace-verdict',
    'web-ui',
    ...fs
      .readdirSync(fromRoot('services'))
      .filter((dir) => fs.existsSync(fromRoot('services', dir, 'src')))
      .map((dir) => `services/${dir}`),
  ];
  const unnamed = packages.flatMap((dir) => {
    const readme = fs.readFileSync(fromRoot(dir, 'README.md'), 'utf8');
    return fs
      .readdirSync(fromRoot(dir, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !readme.includes(`src/${file}`))
      .map((file) => `${dir}/src/${file}`);
  });
  assert.deepEqual(unnamed, []);
});

test("the README's layout table names every top-level folder, and each package's", () => {
  const readme = fs.readFileSync(fromRoot('README.md'), 'utf8');
  const layout = readme.slice(readme.indexOf('## Where things live'), readme.indexOf('\n## ', readme.indexOf('## Where things live') + 1));
  const tracked = execFileSync('git', ['ls-files'], { cwd: fromRoot(), encoding: 'utf8' }).split('\n');
  const folders = [...new Set(tracked.filter((file) => file.includes('/') && !file.startsWith('.')).map((file) => file.split('/')[0]!))];
  assert.deepEqual(
    folders.filter((folder) => !layout.includes(`\`${folder}/`)),
    [],
    'top-level folders the layout table does not name',
  );
  const toolFolders = fs.readdirSync(fromRoot('tools', 'src'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
  assert.deepEqual(
    toolFolders.map((entry) => entry.name).filter((name) => !layout.includes(`\`${name}/\``)),
    [],
    "tools/src's folders the layout table does not name",
  );
});
