import * as fs from 'fs';
import * as path from 'path';
import { BEGIN, END, markerCount, Tablet, withTranslations } from '../rosetta/readme-examples';

/**
 * rosetta/readme-examples.ts keeps the README's Python, Java, C# and Go examples equal to
 * jsii-rosetta's translations; the build runs it with the real tablet (`rosetta:extract`).
 * Here: its drift detection, on a made-up tablet, and the README's shape.
 */
const TS = "new TrapheusRestore(stack, 'Restore');";
const tablet: Tablet = {
  snippets: {
    abc: {
      translations: {
        $: { source: TS },
        python: { source: 'TrapheusRestore(stack, "Restore")' },
        java: { source: 'new TrapheusRestore(stack, "Restore");' },
        csharp: { source: 'new TrapheusRestore(stack, "Restore");' },
        go: { source: 'trapheuscdk.NewTrapheusRestore(stack, jsii.String("Restore"), nil)' },
      },
    },
  },
};
const readmeWith = (body: string) => `# x\n\n\`\`\`ts\n${TS}\n\`\`\`\n\n${BEGIN}\n${body}\n${END}\n`;

describe('README translations (rosetta/readme-examples.ts)', () => {
  test('writes every language from the tablet, and a README that has them is left as it is', () => {
    const written = withTranslations(readmeWith(''), tablet);
    expect(written).toContain('**Python**\n\n```python\nTrapheusRestore(stack, "Restore")\n```');
    expect(written).toContain('**Go**\n\n```go\ntrapheuscdk.NewTrapheusRestore');
    expect(withTranslations(written, tablet)).toBe(written);
  });

  test('a hand-edited translation is drift', () => {
    const written = withTranslations(readmeWith(''), tablet);
    const edited = written.replace('TrapheusRestore(stack, "Restore")\n```', 'TrapheusRestore(stack, "Other")\n```');
    expect(edited).not.toBe(written);
    expect(withTranslations(edited, tablet)).toBe(written);
  });

  test('an example the tablet has not translated (README changed since the compile) fails, naming the fix', () => {
    expect(() => withTranslations(readmeWith('').replace(TS, "new TrapheusRestore(stack, 'Other');"), tablet))
      .toThrow(/npx projen compile && npx projen rosetta:extract/);
  });

  test('the README has its translated examples after the TypeScript example, in four languages', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(markerCount(readme)).toBe(1);
    const block = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
    expect([...block.matchAll(/^```(\w+)$/gm)].map((m) => m[1])).toEqual(['python', 'java', 'csharp', 'go']);
    expect(readme.slice(0, readme.indexOf(BEGIN))).toMatch(/```ts nofixture\nimport \{ App, Duration, Stack \} from 'aws-cdk-lib';/);
  });
});
