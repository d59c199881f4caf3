/**
 * `tsem` entry point. Commands live in cli/commands/<group>.ts, each exporting `commands: Command[]`;
 * they are discovered from that folder so that adding a command touches only its own file.
 * Command modules keep heavy imports (grpc, level) inside run() so that --help stays fast.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { escapeText } from '../common/escape.js';
import { UsageError, formatHelp, parseArgs } from './args.js';
import { isReportable } from './client.js';
import type { Command, Io } from './command.js';
import { EXIT, EXIT_STATUS_HELP, exitStatusOf } from './exit-status.js';
import { type DaemonRole, registerDaemon } from '../exporter/host/daemon-registry.js';

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'commands');

async function loadCommands(): Promise<Command[]> {
  const files = readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'))
    .sort();
  const all: Command[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(COMMANDS_DIR, f)).href)) as {
      commands?: Command[];
    };
    if (mod.commands) all.push(...mod.commands);
  }
  return all.sort((a, b) => a.spec.name.localeCompare(b.spec.name));
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.spec.name.length)) + 2;
  return [
    'usage: tsem <command> [options]',
    '',
    'tsem-engine: Trusted Security Event Modeling (TSEM) coefficients, contour maps, IMA and attestation.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    "Run 'tsem <command> --help' for a command's options; 'tsem --version' prints the version.",
    '',
    EXIT_STATUS_HELP,
    '',
  ].join('\n');
}

/** Finds the longest command name that prefixes argv (commands may be several words). */
function match(
  commands: readonly Command[],
  argv: readonly string[]
): [Command, string[]] | undefined {
  let best: [Command, string[]] | undefined;
  for (const c of commands) {
    const words = c.spec.name.split(' ');
    if (
      words.every((w, i) => argv[i] === w) &&
      (!best || words.length > best[0].spec.name.split(' ').length)
    ) {
      best = [c, argv.slice(words.length)];
    }
  }
  return best;
}

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  if (argv[0] === '--version') {
    const { versionLine } = await import('./commands/ops.js');
    io.out(await versionLine());
    return 0;
  }
  const commands = await loadCommands();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.err : io.out)(overview(commands));
    return argv.length === 0 ? 2 : 0;
  }
  const found = match(commands, argv);
  if (!found) {
    const group = commands.filter((c) => c.spec.name.split(' ')[0] === argv[0]);
    if (group.length > 0) {
      const wantsHelp = argv.includes('--help') || argv.includes('-h');
      (wantsHelp ? io.out : io.err)(
        (wantsHelp ? '' : `tsem: unknown or missing subcommand for '${argv[0]}'\n\n`) +
          overview(group)
      );
      return wantsHelp ? 0 : 2;
    }
    io.err(`tsem: unknown command '${escapeText(argv[0]!)}'\n\n${overview(commands)}`);
    return 2;
  }
  const [command, rest] = found;
  // After `--` everything belongs to the command `tsem run` starts, --help included.
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.out(formatHelp(command.spec));
    return 0;
  }
  try {
    return await command.run(parseArgs(command.spec, rest), io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(
        `tsem ${command.spec.name}: ${escapeText(err.message)}\n\n${formatHelp(command.spec)}`
      );
      return command.usageStatus ?? 2;
    }
    if (isReportable(err)) {
      io.err(`tsem ${command.spec.name}: ${escapeText(err.message)}\n`);
      return exitStatusOf(err);
    }
    io.err(
      `tsem ${command.spec.name}: internal error (a bug: please report it): ${escapeText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`
    );
    return EXIT.software;
  }
}

/** The commands that run as daemons: engines and exporters never report each other's activity. */
const DAEMON_ROLES: Readonly<Record<string, DaemonRole>> = {
  serve: 'engine',
  demo: 'engine',
  export: 'exporter',
};

/**
 * Registers this process as a tsem daemon (root only) before it does anything else, so that the
 * host's other engines and exporters exclude it from their sources (exporter/host/daemon-registry.ts).
 * CLI commands never register.
 */
export function registerIfDaemon(argv: readonly string[]): void {
  const role = DAEMON_ROLES[argv[0] ?? ''];
  if (role && !argv.includes('--help') && !argv.includes('-h')) registerDaemon(role);
}

/**
 * A reader that closed stdout (`tsem ns points NS | head`) wants no more output: end quietly with
 * status 0 instead of an EPIPE stack. Other stdout errors stay fatal.
 */
export function endQuietlyOnClosedStdout(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const defaultIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};
