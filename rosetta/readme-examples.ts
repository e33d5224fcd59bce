/**
 * The README's examples in Python, Java, C# and Go are jsii-rosetta's translations of the
 * TypeScript example above each `<!-- rosetta:translations -->` marker, taken from the tablet
 * that `jsii-rosetta extract --strict` writes (`.jsii.tabl.json`, after `jsii` has compiled the
 * README into `.jsii`). `--check` (run by `npx projen rosetta:extract`, part of the build) fails
 * when the README's copies differ from the tablet; without it the README is rewritten
 * (`npx projen rosetta:readme`).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The languages shown, in order, with their heading and fence. */
export const LANGUAGES = [
  { id: 'python', title: 'Python', fence: 'python' },
  { id: 'java', title: 'Java', fence: 'java' },
  { id: 'csharp', title: 'C#', fence: 'csharp' },
  { id: 'go', title: 'Go', fence: 'go' },
] as const;

export const BEGIN = '<!-- rosetta:translations (generated from the TypeScript example above by `npx projen rosetta:readme`: do not edit) -->';
export const END = '<!-- rosetta:end -->';

/** The part of a jsii-rosetta tablet this reads. */
export interface Tablet {
  readonly snippets: Record<string, { readonly translations: Record<string, { readonly source: string }> }>;
}

/** The TypeScript source of the last ```ts block before `index`. */
function typescriptBefore(readme: string, index: number): string {
  const blocks = [...readme.slice(0, index).matchAll(/^```(?:ts|typescript)\b[^\n]*\n([\s\S]*?)^```$/gm)];
  if (blocks.length === 0) throw new Error(`README: a ${BEGIN} marker has no TypeScript example before it`);
  return blocks[blocks.length - 1][1].trimEnd();
}

function translationsOf(tablet: Tablet, typescript: string): Record<string, string> {
  const snippet = Object.values(tablet.snippets).find((s) => s.translations.$?.source.trimEnd() === typescript);
  if (!snippet) {
    throw new Error('The tablet has no translation of this README example:\n\n' + typescript + '\n\n'
      + 'compile the README into .jsii first: `npx projen compile && npx projen rosetta:extract`');
  }
  return Object.fromEntries(Object.entries(snippet.translations).map(([lang, t]) => [lang, t.source.trimEnd()]));
}

/** The README with every translation block regenerated from the tablet. */
export function withTranslations(readme: string, tablet: Tablet): string {
  const pattern = new RegExp(`${escape(BEGIN)}[\\s\\S]*?${escape(END)}`, 'g');
  return readme.replace(pattern, (_block, offset: number) => {
    const translations = translationsOf(tablet, typescriptBefore(readme, offset));
    const sections = LANGUAGES.map(({ id, title, fence }) => {
      if (translations[id] === undefined) throw new Error(`The tablet has no ${title} translation of the README example`);
      return `**${title}**\n\n\`\`\`${fence}\n${translations[id]}\n\`\`\``;
    });
    return [BEGIN, ...sections, END].join('\n\n');
  });
}

/** How many translation blocks the README has. */
export function markerCount(readme: string): number {
  return readme.split(BEGIN).length - 1;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function main(): void {
  const root = path.join(__dirname, '..');
  const readmePath = path.join(root, 'README.md');
  const tabletPath = path.join(root, '.jsii.tabl.json');
  if (!fs.existsSync(tabletPath)) throw new Error(`${tabletPath} is missing: run \`npx projen compile && npx projen rosetta:extract\``);
  const readme = fs.readFileSync(readmePath, 'utf8');
  if (markerCount(readme) === 0) throw new Error(`README.md has no ${BEGIN} marker`);
  const expected = withTranslations(readme, JSON.parse(fs.readFileSync(tabletPath, 'utf8')));
  if (process.argv.includes('--check')) {
    if (expected !== readme) {
      process.stderr.write('README.md: the Python, Java, C# or Go examples differ from what jsii-rosetta makes of the TypeScript example.\n'
        + 'Run `npx projen rosetta:readme`, then `npx projen compile` (the README is compiled into .jsii) and commit README.md.\n');
      process.exit(1);
    }
    process.stdout.write(`README.md: the ${markerCount(readme)} translated example(s) match jsii-rosetta's translations\n`);
  } else if (expected !== readme) {
    fs.writeFileSync(readmePath, expected);
    process.stdout.write('README.md: translated examples rewritten\n');
  }
}

if (require.main === module) main();
