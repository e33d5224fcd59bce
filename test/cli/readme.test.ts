import * as fs from 'fs';
import * as path from 'path';
import { cli } from './helpers';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## ', readme.indexOf('## Command line') + 1));

/** Every `trapheus-cdk <command> ...` the section shows, continuation lines joined. */
const examples = section.replace(/\\\n\s*/g, ' ').split('\n')
  .map((l) => /trapheus-cdk (run|status|history|simulate)\b(.*)$/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null && !m[2].includes('arn:...'));

test('the README\'s Command line section has examples of every command', () => {
  expect(new Set(examples.map((m) => m[1]))).toEqual(new Set(['run', 'history', 'simulate']));
  expect(section).toContain('**`status <execution-arn>`**');
});

test.each(examples.map((m) => [m[1], m[2].trim()]))('the README example `%s %s` uses options the command has', async (command, args) => {
  const help = (await cli(command, '--help')).stdout;
  for (const option of args.match(/--[a-z-]+/g) ?? []) expect(help).toContain(option);
});
