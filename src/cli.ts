/**
 * Partner credentials from the command line (same configuration as the server):
 *   npm run cli -- partner create --name "Orange Money CI" --scopes partner:profile.read [--basic] [--internal]
 *   npm run cli -- partner list
 *   npm run cli -- partner disable <partner-id | consumer-key>
 *   npm run cli -- lockouts list
 *   npm run cli -- lockouts clear [<address | consumer-key>]
 *   npm run cli -- ledger check
 */
import { parseArgs } from 'node:util';
import { oauthScopes } from '../generated/operations';
import { readConfig } from './config';
import { secureDataDir } from './data-dir';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';
import { openDatabase, type Database } from './db/database';
import { migrate } from './db/migrate';
import { SYSTEM_ACTORS } from './domain/actor';
import { createPartner, findPartnerByIdOrKey, listPartners, setPartnerStatus } from './domain/partners/partners';
import { AppError } from './domain/app-error';
import { clearLockouts, listLockouts, type FailureSettings } from './domain/security/lockouts';
import { checkLedger } from './domain/ledger/invariants';

const USAGE = `usage:
  npm run cli -- partner create --name <name> --scopes <scope,scope...> [--basic] [--internal]
                                       --internal: one of CYNOD's internal applications, the only partners holding core:* scopes
  npm run cli -- partner list
  npm run cli -- partner disable <partner-id | consumer-key>
  npm run cli -- lockouts list                                  addresses and keys counting failed authentications
  npm run cli -- lockouts clear [<address | consumer-key>]      forget their failures (all without an argument)
  npm run cli -- ledger check                                   check the ledger's invariants (exit 1 when one is broken)
scopes: ${Object.keys(oauthScopes).join(', ')}`;

class UsageError extends Error {}

/** A check that found problems: printed, exit status 1. */
export class CheckFailedError extends Error {}

/** Changes made with the CLI are recorded in the audit trail as this actor. */
const CLI_ACTOR = SYSTEM_ACTORS.cli;

/** Runs one CLI command; `settings`: the failure limit and window the server counts with. */
export async function runCli(argv: string[], db: Database, print: (line: string) => void, settings?: FailureSettings): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, basic: { type: 'boolean', default: false }, internal: { type: 'boolean', default: false } },
  });
  const [area, command, target] = positionals;
  if (area === 'lockouts') return runLockouts(db, print, settings ?? readConfig(), command, target);
  if (area === 'ledger' && command === 'check') return runLedgerCheck(db, print);
  if (area !== 'partner') throw new UsageError(USAGE);
  switch (command) {
    case 'create': {
      if (!values.name || values.scopes === undefined) throw new UsageError(USAGE);
      const scopes = values.scopes.split(/[\s,]+/).filter(Boolean);
      if (scopes.length === 0) throw new UsageError('--scopes needs at least one scope');
      const { partner, consumerSecret } = await createPartner(db, CLI_ACTOR, { name: values.name, scopes, basicAllowed: values.basic, internal: values.internal }).catch((error: unknown) => {
        if (error instanceof AppError && error.codeName === 'CORE_SCOPE_NOT_INTERNAL') throw new UsageError(`${error.message} (add --internal to create one of CYNOD's internal applications)`);
        throw error;
      });
      print(`partner created: ${partner.id} (${partner.name})${partner.internal ? ', internal' : ''}`);
      print(`consumer-key:    ${partner.consumerKey}`);
      print(`consumer-secret: ${consumerSecret}`);
      print('The secret is shown once and stored only as a hash: keep it now.');
      return;
    }
    case 'list': {
      let cursor: string | undefined;
      do {
        const page = await listPartners(db, CLI_ACTOR, { limit: 100, cursor });
        for (const partner of page.items) {
          print([partner.id, partner.status, partner.consumerKey, partner.scopes.join(' ') || '-', partner.basicAllowed ? 'basic' : '-', partner.internal ? 'internal' : '-', partner.name].join('\t'));
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return;
    }
    case 'disable': {
      if (!target) throw new UsageError(USAGE);
      const found = await findPartnerByIdOrKey(db, CLI_ACTOR, target);
      if (!found) throw new UsageError(`no partner with id or consumer-key ${target}`);
      const partner = await setPartnerStatus(db, CLI_ACTOR, found.id, 'disabled');
      print(`partner disabled: ${partner.id} (${partner.name}); its tokens no longer work`);
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}

async function runLockouts(db: Database, print: (line: string) => void, settings: FailureSettings, command?: string, target?: string): Promise<void> {
  if (command === 'list') {
    const lockouts = await listLockouts(db, CLI_ACTOR, settings);
    if (lockouts.length === 0) print('no failed authentications counted');
    for (const lockout of lockouts) {
      const state = lockout.lockedUntil ? `locked until ${lockout.lockedUntil.toISOString()}` : 'counting';
      print([lockout.kind, lockout.subject, `${lockout.failures}/${settings.authFailureLimit} failures`, state, `fades at ${lockout.fadesAt.toISOString()}`].join('\t'));
    }
    return;
  }
  if (command !== 'clear') throw new UsageError(USAGE);
  const cleared = await clearLockouts(db, CLI_ACTOR, target);
  print(cleared === 0 ? `no failed authentications counted${target ? ` for ${target}` : ''}` : `cleared the failures of ${cleared} address(es) and key(s)${target ? ` (${target})` : ''}`);
}

async function runLedgerCheck(db: Database, print: (line: string) => void): Promise<void> {
  const results = await checkLedger(db, CLI_ACTOR);
  for (const result of results) {
    print(`${result.violations.length === 0 ? 'ok    ' : 'BROKEN'}  ${result.name}`);
    for (const violation of result.violations) print(`        ${violation.subject}: ${violation.problem}`);
  }
  const broken = results.filter((result) => result.violations.length > 0).length;
  if (broken > 0) throw new CheckFailedError(`${broken} of ${results.length} ledger invariants broken`);
  print(`all ${results.length} ledger invariants hold`);
}

async function main(): Promise<void> {
  const config = readConfig();
  if (!config.databaseUrl) {
    process.umask(0o077);
    secureDataDir(config.dataDir);
  }
  // The server holding the embedded database would never see, and later overwrite, our changes.
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(db);
    await runCli(process.argv.slice(2), db, (line) => process.stdout.write(line + '\n'), config);
  } finally {
    await db.close();
    if (!config.databaseUrl) secureDataDir(config.dataDir);
    unlock();
  }
}

if (require.main === module) {
  main().catch((error) => {
    if (error instanceof DataDirLockedError || error instanceof CheckFailedError) {
      process.stderr.write(`refused: ${error.message}\n`);
      process.exit(1);
    }
    const known = error instanceof UsageError || error instanceof AppError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(known ? `${error.message}\n` : `failed: ${String(error?.stack ?? error)}\n`);
    process.exit(known ? 2 : 1);
  });
}
