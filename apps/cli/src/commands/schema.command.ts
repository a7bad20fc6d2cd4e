/** `portico schema`: the JSON Schema of portico.yaml, for editors and CI linters. */
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import { PORTICO_FILE_SCHEMA } from '../desired-state/load-file.js';
import { EXIT } from '../exit-codes.js';

const USAGE = `Usage: portico schema

Prints the JSON Schema (draft 2020-12) of the portico.yaml format. Editors with the YAML
language server pick it up from a first line such as the one \`portico export\` writes:
# yaml-language-server: $schema=<path or URL of the schema>

Options:
  -h, --help               show this help
`;

async function schema(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseOptions(args, {});
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  io.out.write(`${JSON.stringify(PORTICO_FILE_SCHEMA, null, 2)}\n`);
  return EXIT.ok;
}

export const schemaCommand: Command = {
  path: ['schema'],
  summary: 'print the JSON Schema of portico.yaml',
  usage: USAGE,
  run: schema,
};
