/**
 * The `portico` command line: finds the command named by the leading words of argv and runs it.
 * Exit codes: exit-codes.ts (a usage error also shows the command's usage; any other failure is
 * one line on stderr).
 */
import { type CliIo, type Command, UsageError } from './command.js';
import { CliError, EXIT } from './exit-codes.js';
import { applyCommand } from './commands/apply.command.js';
import { diffCommand } from './commands/diff.command.js';
import { exportCommand } from './commands/export.command.js';
import { gatewayRegisterCommand } from './commands/gateway-register.command.js';
import { loginCommand, logoutCommand } from './commands/login.command.js';
import { promoteCommand } from './commands/promote.command.js';
import { schemaCommand } from './commands/schema.command.js';
import { waitCommand } from './commands/wait.command.js';

/** Every command, in the order `portico --help` lists them; adding one is adding it here. */
export const COMMANDS: readonly Command[] = [
  loginCommand,
  logoutCommand,
  applyCommand,
  diffCommand,
  exportCommand,
  promoteCommand,
  waitCommand,
  schemaCommand,
  gatewayRegisterCommand,
];

const HELP = new Set(['--help', '-h']);

/** Runs `portico <argv>`; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const command = commands.find((c) => c.path.every((word, i) => argv[i] === word));
  if (!command) return overview(argv, io, commands);
  const args = argv.slice(command.path.length);
  if (args.some((a) => HELP.has(a))) {
    io.out.write(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.err.write(`error: ${err.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    io.err.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof CliError ? err.exitCode : EXIT.failed;
  }
}

/**
 * No complete command: `portico --help` / `portico help` list every command (exit 0); a group
 * such as `portico gateway` lists its commands, anything else is unknown (exit 2).
 */
function overview(argv: string[], io: CliIo, commands: readonly Command[]): number {
  const words = argv.filter((a) => !a.startsWith('-'));
  const help = argv.some((a) => HELP.has(a)) || words[0] === 'help';
  if (words[0] === 'help') words.shift();
  const group = commands.filter((c) => words.every((w, i) => c.path[i] === w));
  const listed = group.length ? group : commands;
  const width = Math.max(...listed.map((c) => c.path.join(' ').length));
  const text =
    `Usage: portico <command> [options]\n\nCommands:\n` +
    listed.map((c) => `  portico ${c.path.join(' ').padEnd(width)}  ${c.summary}\n`).join('') +
    `\nRun \`portico <command> --help\` for the options of a command.\n`;
  if (help) {
    io.out.write(text);
    return 0;
  }
  if (!group.length) io.err.write(`error: unknown command: portico ${words.join(' ')}\n\n`);
  io.err.write(text);
  return 2;
}

/** parseArgs reports a bad command line as a TypeError with an ERR_PARSE_ARGS_* code. */
function isParseArgsError(err: unknown): err is Error {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
