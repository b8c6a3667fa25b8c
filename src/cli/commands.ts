/**
 * The CLI's commands (partner credentials, lock-outs, the ledger check) and their help.
 * Parsing and help need no database: `parseCommand` runs before anything is opened. The
 * commands run on a `Database`, either the CLI's own or, beside a server holding the embedded
 * database, the server's (src/cli/channel.ts).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { oauthScopes } from '../../generated/operations';
import { SYSTEM_ACTORS } from '../domain/actor';
import { AppError } from '../domain/app-error';
import { checkLedger } from '../domain/ledger/invariants';
import { createPartner, findPartnerByIdOrKey, listPartners, setPartnerStatus } from '../domain/partners/partners';
import { clearLockouts, listLockouts, type FailureSettings } from '../domain/security/lockouts';
import type { Database } from '../db/database';
import { MigrationHistoryError } from '../db/migrate';

/** A command line the CLI cannot run: the message says why and how to call it (exit status 2). */
class UsageError extends Error {}

/** A command the CLI refuses to run now (the data directory is busy, a check failed): exit status 1. */
export class RefusedError extends Error {}

/** A check that found problems: printed, exit status 1. */
class CheckFailedError extends RefusedError {}

/** Changes made with the CLI are recorded in the audit trail as this actor. */
const CLI_ACTOR = SYSTEM_ACTORS.cli;

/** How to call the CLI here: the compiled dist/cli.js in production, npm run cli in a clone. */
const PROGRAM = __filename.endsWith('.js') ? 'node dist/cli.js' : 'npm run cli --';

/** Words joined by ", " in lines of at most 100 characters, each line indented. */
function wrapped(words: string[], indent: string): string {
  const lines = [indent];
  for (const word of words) {
    const last = lines.length - 1;
    if (lines[last] !== indent && lines[last].length + word.length + 2 > 100) {
      lines[last] += ',';
      lines.push(indent);
    }
    lines[lines.length - 1] += `${lines[lines.length - 1] === indent ? '' : ', '}${word}`;
  }
  return lines.join('\n');
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

interface CommandSpec {
  /** The arguments after the command's name, as the usage line shows them. */
  synopsis: string;
  /** One line for the command list. */
  summary: string;
  /** The rest of its help: what it does, its options and arguments. */
  details: string;
  options: Options;
  /** Positional arguments after the command's name: how many at least and at most. */
  positionals: [number, number];
}

const COMMANDS: Record<string, Record<string, CommandSpec>> = {
  partner: {
    create: {
      synopsis: '--name <name> --scopes <scope,scope...> [--basic] [--internal] [--certificate <file.pem>]',
      summary: 'create a partner; prints its consumer-key and consumer-secret (shown once)',
      details: `Creates a partner (an OAuth client) and prints its id, consumer-key and consumer-secret.
The secret is shown once and stored only as a hash: keep it now.

options:
  --name <name>        the partner's name (required)
  --scopes <scopes>    the scopes it may ask for, separated by commas or spaces (required)
  --basic              allow HTTP Basic on resource operations (discouraged)
  --internal           one of CYNOD's internal applications, the only partners that may hold core:* scopes
  --certificate <pem>  mutual TLS (RFC 8705): the partner must present this client certificate (a PEM
                       file; self-signed will do); its SHA-256 thumbprint is registered

scopes:
${wrapped(Object.keys(oauthScopes), '  ')}`,
      options: {
        name: { type: 'string' },
        scopes: { type: 'string' },
        basic: { type: 'boolean', default: false },
        internal: { type: 'boolean', default: false },
        certificate: { type: 'string' },
      },
      positionals: [0, 0],
    },
    list: {
      synopsis: '',
      summary: 'list the partners: id, status, consumer-key, Basic, internal, name, scopes',
      details: 'Lists every partner in a table with column headers. Secrets are never shown.',
      options: {},
      positionals: [0, 0],
    },
    disable: {
      synopsis: '<partner-id | consumer-key>',
      summary: 'disable a partner: its tokens stop working at once',
      details: `Disables the partner with that id (ptn_...) or consumer-key (ck_...): its access tokens
stop working at once and it cannot get new ones.`,
      options: {},
      positionals: [1, 1],
    },
  },
  lockouts: {
    list: {
      synopsis: '',
      summary: 'list the addresses and consumer-keys counting failed authentications',
      details: `Lists, in a table with column headers, every address and consumer-key counting failed
authentications: the failures in the window against the limit (AUTH_FAILURE_LIMIT), whether it
is locked and until when, and when its failures fade.`,
      options: {},
      positionals: [0, 0],
    },
    clear: {
      synopsis: '[<address | consumer-key>]',
      summary: 'forget failed authentications (of one address or consumer-key, or all)',
      details: `Forgets the failed authentications of one address (an IPv6 address counts as its /64) or
consumer-key, or of all of them without an argument: a locked address or key is accepted again
at once. Recorded as an auth.lockout-cleared security event.`,
      options: {},
      positionals: [0, 1],
    },
  },
  ledger: {
    check: {
      synopsis: '',
      summary: "check the ledger's invariants (exit status 1 when one is broken)",
      details: `Runs the ledger's invariants (entries of each operation balance, balances match their
entries, ...) and prints one line per invariant, with the entries breaking it. Exit status 1
when one is broken.`,
      options: {},
      positionals: [0, 0],
    },
  },
};

const usageOf = (area: string, name: string) => `usage: ${PROGRAM} ${area} ${name}${COMMANDS[area][name].synopsis ? ` ${COMMANDS[area][name].synopsis}` : ''}`;

function commandList(areas: string[]): string {
  const rows = areas.flatMap((area) => Object.entries(COMMANDS[area]).map(([name, spec]) => [`${area} ${name}`, spec.summary]));
  return table(['COMMAND', 'WHAT IT DOES'], rows)
    .slice(1)
    .map((line) => `  ${line}`)
    .join('\n');
}

const GENERAL_HELP = `The CYNOD API's command line: partner credentials, lock-outs, the ledger check.

usage: ${PROGRAM} <command> [options]
       ${PROGRAM} <command> --help

commands:
${commandList(Object.keys(COMMANDS))}

It uses the server's configuration (DATABASE_URL, DATA_DIR, ...). With the embedded database
(no DATABASE_URL) and the server running on the same data directory, the commands run inside
that server, through a socket only the data directory's owner can reach (cynod-cli.sock).`;

const areaHelp = (area: string) => `usage: ${PROGRAM} ${area} <command> [options]

commands:
${commandList([area])}

'${PROGRAM} ${area} <command> --help' describes one.`;

const commandHelp = (area: string, name: string) => `${usageOf(area, name)}

${COMMANDS[area][name].details}`;

/** What a command line asks for: some help, or one command with its options and arguments. */
export type ParsedCommand =
  | { kind: 'help'; text: string }
  | { kind: 'run'; area: string; name: string; values: Record<string, string | boolean | undefined>; positionals: string[] };

const asksForHelp = (args: string[]) => args.some((arg) => arg === '--help' || arg === '-h');

/** Parses a command line without touching any database; UsageError when it is not one the CLI runs. */
export function parseCommand(argv: string[]): ParsedCommand {
  const [area, name] = argv;
  if (area === undefined || area === '--help' || area === '-h') return { kind: 'help', text: GENERAL_HELP };
  if (area === 'help') return parseCommand([...argv.slice(1), '--help']);
  if (!Object.hasOwn(COMMANDS, area)) throw new UsageError(`unknown command: ${area}\n\n${GENERAL_HELP}`);
  if (name === undefined || name.startsWith('-')) {
    if (asksForHelp(argv.slice(1))) return { kind: 'help', text: areaHelp(area) };
    throw new UsageError(areaHelp(area));
  }
  if (!Object.hasOwn(COMMANDS[area], name)) throw new UsageError(`unknown command: ${area} ${name}\n\n${areaHelp(area)}`);
  const spec = COMMANDS[area][name];
  const args = argv.slice(2);
  if (asksForHelp(args)) return { kind: 'help', text: commandHelp(area, name) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usageOf(area, name)}`);
  }
  const [least, most] = spec.positionals;
  if (parsed.positionals.length < least || parsed.positionals.length > most) throw new UsageError(usageOf(area, name));
  return { kind: 'run', area, name, values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/**
 * Lines of a table: a header row, then the rows, each column as wide as its widest cell
 * (two spaces apart; the last column is not padded).
 */
function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  return [headers, ...rows].map((cells) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

/** Runs one CLI command line; `settings`: the failure limit and window the server counts with. */
export async function runCli(argv: string[], db: Database, print: (line: string) => void, settings: FailureSettings): Promise<void> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    for (const line of command.text.split('\n')) print(line);
    return;
  }
  const { values, positionals } = command;
  const [target] = positionals;
  switch (`${command.area} ${command.name}`) {
    case 'partner create':
      return createOne(db, print, values);
    case 'partner list':
      return listAll(db, print);
    case 'partner disable': {
      const found = await findPartnerByIdOrKey(db, CLI_ACTOR, target);
      if (!found) throw new UsageError(`no partner with id or consumer-key ${target}`);
      const partner = await setPartnerStatus(db, CLI_ACTOR, found.id, 'disabled');
      print(`partner disabled: ${partner.id} (${partner.name}); its tokens no longer work`);
      return;
    }
    case 'lockouts list':
      return listLockedOut(db, print, settings);
    case 'lockouts clear': {
      const cleared = await clearLockouts(db, CLI_ACTOR, target);
      print(
        cleared === 0
          ? `no failed authentications counted${target ? ` for ${target}` : ''}`
          : `cleared the failures of ${cleared} address(es) and key(s)${target ? ` (${target})` : ''}`,
      );
      return;
    }
    case 'ledger check':
      return checkTheLedger(db, print);
    default:
      throw new Error(`no runner for the command ${command.area} ${command.name}`);
  }
}

/** The x5t#S256 thumbprint (RFC 8705 §3.1) of the certificate in a PEM file, or a UsageError saying why not. */
function certificateThumbprint(file: string): string {
  try {
    return createHash('sha256')
      .update(new X509Certificate(readFileSync(file)).raw)
      .digest('base64url');
  } catch (error) {
    throw new UsageError(`--certificate ${file}: not a readable PEM certificate (${(error as Error).message})`);
  }
}

async function createOne(db: Database, print: (line: string) => void, values: Record<string, string | boolean | undefined>): Promise<void> {
  const { name, scopes: scopeList } = values;
  if (typeof name !== 'string' || typeof scopeList !== 'string') throw new UsageError(`--name and --scopes are required\n${usageOf('partner', 'create')}`);
  const scopes = scopeList.split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0) throw new UsageError('--scopes needs at least one scope');
  const certificate = typeof values.certificate === 'string' ? certificateThumbprint(values.certificate) : null;
  const { partner, consumerSecret } = await createPartner(db, CLI_ACTOR, {
    name,
    scopes,
    basicAllowed: values.basic === true,
    internal: values.internal === true,
    certificateThumbprints: certificate ? [certificate] : [],
  }).catch((error: unknown) => {
    if (error instanceof AppError && error.codeName === 'CORE_SCOPE_NOT_INTERNAL')
      throw new UsageError(`${error.message} (add --internal to create one of CYNOD's internal applications)`);
    throw error;
  });
  print(`partner created: ${partner.id} (${partner.name})${partner.internal ? ', internal' : ''}`);
  print(`consumer-key:    ${partner.consumerKey}`);
  if (certificate) print(`certificate:     x5t#S256 ${certificate} (mutual TLS required)`);
  print(`consumer-secret: ${consumerSecret}`);
  print('The secret is shown once and stored only as a hash: keep it now.');
}

async function listAll(db: Database, print: (line: string) => void): Promise<void> {
  const rows: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listPartners(db, CLI_ACTOR, { limit: 100, cursor });
    for (const partner of page.items) {
      rows.push([
        partner.id,
        partner.status,
        partner.consumerKey,
        partner.basicAllowed ? 'yes' : 'no',
        partner.internal ? 'yes' : 'no',
        partner.name,
        partner.scopes.join(',') || '-',
      ]);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // Scopes last: the demo partner holds every one of them, a line no terminal is wide enough for.
  for (const line of table(['ID', 'STATUS', 'CONSUMER-KEY', 'BASIC', 'INTERNAL', 'NAME', 'SCOPES'], rows)) print(line);
}

async function listLockedOut(db: Database, print: (line: string) => void, settings: FailureSettings): Promise<void> {
  const lockouts = await listLockouts(db, CLI_ACTOR, settings);
  if (lockouts.length === 0) {
    print('no failed authentications counted');
    return;
  }
  const rows = lockouts.map((lockout) => [
    lockout.kind,
    lockout.subject,
    `${lockout.failures}/${settings.authFailureLimit}`,
    lockout.lockedUntil ? lockout.lockedUntil.toISOString() : '-',
    lockout.fadesAt.toISOString(),
  ]);
  for (const line of table(['KIND', 'SUBJECT', 'FAILURES', 'LOCKED-UNTIL', 'FADES-AT'], rows)) print(line);
}

async function checkTheLedger(db: Database, print: (line: string) => void): Promise<void> {
  const results = await checkLedger(db, CLI_ACTOR);
  for (const result of results) {
    print(`${result.violations.length === 0 ? 'ok    ' : 'BROKEN'}  ${result.name}`);
    for (const violation of result.violations) print(`        ${violation.subject}: ${violation.problem}`);
  }
  const broken = results.filter((result) => result.violations.length > 0).length;
  if (broken > 0) throw new CheckFailedError(`${broken} of ${results.length} ledger invariants broken`);
  print(`all ${results.length} ledger invariants hold`);
}

/** How a failed command ends: the line for stderr, the exit status, and whether it is a fault rather than the command line's or the data's. */
export function cliFailure(error: unknown): { message: string; exitCode: number; unexpected: boolean } {
  if (error instanceof RefusedError || error instanceof MigrationHistoryError) return { message: `refused: ${error.message}`, exitCode: 1, unexpected: false };
  if (error instanceof UsageError || error instanceof AppError) return { message: error.message, exitCode: 2, unexpected: false };
  return { message: `failed: ${String((error as Error)?.stack ?? error)}`, exitCode: 1, unexpected: true };
}
