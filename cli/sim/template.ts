import * as fs from 'fs';
import * as path from 'path';
import { CDK_PATH, logicalIdUnder, underPath } from '../construct-path';
import { CliError } from '../io';

type Template = { Resources?: Record<string, any> };

/** A TrapheusRestore state machine in a synthesized template. */
export interface PipelineInTemplate {
  readonly file: string;
  /** The template's artifact id (the file name without `.template.json`). */
  readonly stack: string;
  readonly template: Template;
  readonly logicalId: string;
  /** Its construct path, when the template has path metadata. */
  readonly path?: string;
}

/**
 * The logical ids of the TrapheusRestore state machines of `template`: state
 * machines whose definition calls a function of this package (a function that
 * describes itself as `lambda-src/<name>.lambda.ts`).
 */
export function stateMachinesOf(template: Template): string[] {
  const resources = template.Resources ?? {};
  const functions = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && /^lambda-src\/[\w-]+\.lambda\.ts$/.test(r.Properties?.Description ?? ''))
    .map(([id]) => id);
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .filter(([, r]) => {
      const body = JSON.stringify(r.Properties?.DefinitionString ?? '');
      return functions.some((id) => body.includes(`\\"${id}\\"`) || body.includes(`"${id}"`));
    })
    .map(([id]) => id);
}

/** The template files of `target`: itself, or every `*.template.json` of a cdk.out directory (nested stage assemblies too). */
function templateFiles(target: string): string[] {
  if (!fs.existsSync(target)) throw new CliError(`${target} does not exist: give a template file (.template.json) or a cdk.out directory (run \`cdk synth\` first)`);
  if (!fs.statSync(target).isDirectory()) return [target];
  const files: string[] = [];
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    const full = path.join(target, entry.name);
    if (entry.isFile() && entry.name.endsWith('.template.json')) files.push(full);
    else if (entry.isDirectory() && entry.name.startsWith('assembly-')) files.push(...templateFiles(full));
  }
  return files.sort();
}

function readTemplate(file: string): Template {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file} is not a JSON template (${(err as Error).message}); \`cdk synth\` writes JSON templates to cdk.out/`);
  }
}

/** Every TrapheusRestore pipeline in the templates of `target`. */
export function pipelinesIn(target: string): PipelineInTemplate[] {
  return templateFiles(target).flatMap((file) => {
    const template = readTemplate(file);
    return stateMachinesOf(template).map((logicalId) => ({
      file,
      stack: path.basename(file).replace(/\.template\.json$/, ''),
      template,
      logicalId,
      path: template.Resources?.[logicalId]?.Metadata?.[CDK_PATH],
    }));
  });
}

/** `DbReset: DbReset/Restore/StateMachine`: where a pipeline is. */
export const describePipeline = (p: PipelineInTemplate) => `${p.stack}: ${p.path?.replace(/\/Resource$/, '') ?? p.logicalId}`;

/** The one pipeline of `target` (under `constructPath` when given), or an error naming the ones there are. */
export function choosePipeline(target: string, constructPath?: string): PipelineInTemplate {
  const all = pipelinesIn(target);
  if (all.length === 0) throw new CliError(`no TrapheusRestore state machine in ${target}: synthesize a stack that has one (cdk synth)`);
  const found = constructPath === undefined ? all
    : all.filter((p) => (p.path ? underPath(p.path, constructPath) : logicalIdUnder(p.logicalId, constructPath, p.stack)));
  if (found.length === 1) return found[0];
  const list = all.map(describePipeline).join('; ');
  if (found.length === 0) throw new CliError(`--construct-path ${constructPath}: no TrapheusRestore under it in ${target}; found ${list}`);
  throw new CliError(`${target} has ${found.length} TrapheusRestore pipelines (${list}): pick one with --construct-path`);
}
