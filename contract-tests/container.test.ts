/**
 * The container files, checked where no container engine runs (CI builds the image only when
 * `docker info` answers): the Dockerfile and compose.yaml are parsed and held to what the
 * server needs, and on PostgreSQL the image's start command runs as the container would run
 * it: the bundle laid out as the image's /app, the image's and compose.yaml's environment,
 * the image's CMD, against an empty database, then the image's HEALTHCHECK command.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { readConfig } from '../src/config';
import { cardVaultFor } from '../src/card-keys';
import { basic, call, FORM } from './support/http';

const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

interface Instruction {
  keyword: string;
  /** The arguments after the keyword, flags (--from=...) included. */
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** A Dockerfile's stages: comments dropped, continuation lines joined, one instruction a line. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*\S)\s*$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2].replace(/\s+/g, ' ');
    if (keyword === 'FROM') {
      const [image, as, name] = args.split(' ').filter((word) => !word.startsWith('--'));
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`${keyword} before any FROM`);
      stages[stages.length - 1].instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** The flags (--name=value) at the start of an instruction's arguments, and what follows them. */
function flags(args: string): { flags: Record<string, string>; rest: string } {
  const found: Record<string, string> = {};
  let rest = args;
  for (let match = /^--([a-z-]+)=(\S+)\s*/.exec(rest); match; match = /^--([a-z-]+)=(\S+)\s*/.exec(rest)) {
    found[match[1]] = match[2];
    rest = rest.slice(match[0].length);
  }
  return { flags: found, rest };
}

/** ENV lines of a stage (KEY=value pairs; values without spaces). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    for (const pair of args.split(' ')) {
      const [name, ...value] = pair.split('=');
      env[name] = value.join('=');
    }
  }
  return env;
}

/** An exec-form (JSON array) command; a shell-form one is refused: the server must be PID 1 to get SIGTERM. */
function execForm(args: string): string[] {
  const command = JSON.parse(args) as unknown;
  if (!Array.isArray(command) || !command.every((word) => typeof word === 'string')) throw new Error(`not an exec-form command: ${args}`);
  return command as string[];
}

/** compose.yaml's ${NAME:-default} and ${NAME} with nothing set: what `docker compose up` uses on a fresh machine. */
function withDefaults(value: unknown): string {
  const text = String(value);
  if (/\$\{[^}]*:?\?/.test(text)) throw new Error(`${text} requires a variable: docker compose up would not run as is`);
  return text.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_, _name: string, fallback: string | undefined) => fallback ?? '');
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const finalStage = dockerfile[dockerfile.length - 1];
const imageEnv = envOf(finalStage);
const finalOf = (keyword: string) => finalStage.instructions.filter((instruction) => instruction.keyword === keyword);
const workdir = finalOf('WORKDIR').at(-1)?.args ?? '/';
const compose = parse(read('compose.yaml')) as {
  services: Record<
    string,
    {
      image?: string;
      build?: string | { context: string };
      environment?: Record<string, unknown>;
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test: string[] | string };
      ports?: string[];
      stop_grace_period?: string;
    }
  >;
};
const api = compose.services.api;
const postgres = compose.services.postgres;
const composeEnv = Object.fromEntries(Object.entries(api.environment ?? {}).map(([name, value]) => [name, withDefaults(value)]));
const healthcheck = execForm(flags(finalOf('HEALTHCHECK').at(-1)?.args ?? '').rest.replace(/^CMD /, ''));
const cmd = execForm(finalOf('CMD').at(-1)?.args ?? 'null');

describe('Dockerfile', () => {
  it('when read, then it builds in stages from Node 24 images pinned by tag, each --from naming an earlier stage', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const major = read('.nvmrc').trim();
    for (const [index, stage] of dockerfile.entries()) {
      const isStage = dockerfile.slice(0, index).some((earlier) => earlier.name === stage.image);
      if (isStage) continue;
      expect(stage.image).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+(@sha256:[0-9a-f]{64})?$/); // a tag, always
      expect(stage.image).not.toMatch(/:latest\b/);
      expect(stage.image).toMatch(
        new RegExp(`^(node:${major}(\\.[0-9.]+)?-(slim|bookworm-slim|trixie-slim)|gcr\\.io/distroless/nodejs${major}-debian[0-9]+(:nonroot)?)\\b`),
      );
      for (const instruction of stage.instructions.filter((each) => each.keyword === 'COPY')) {
        const from = flags(instruction.args).flags.from;
        if (from) expect(dockerfile.slice(0, index).map((earlier) => earlier.name)).toContain(from);
      }
    }
  });

  it('when the image runs, then it runs as a user that is not root', () => {
    const user = finalOf('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // USER comes after the last RUN: nothing later runs as root.
    const keywords = finalStage.instructions.map((instruction) => instruction.keyword);
    expect(keywords.lastIndexOf('USER')).toBeGreaterThan(keywords.lastIndexOf('RUN'));
  });

  it('when the image is assembled, then it holds the bundle npm run build makes, generated/ and production node_modules, nothing else from the sources', () => {
    const copies = finalOf('COPY').map((instruction) => {
      const { flags: found, rest } = flags(instruction.args);
      const [source, destination] = rest.split(' ');
      return { from: found.from, source, destination: posix.resolve(workdir, destination) };
    });
    // Everything in the image comes from a build stage: no file of the context is copied as is.
    expect(copies.every((copy) => copy.from !== undefined)).toBe(true);
    expect(copies.map((copy) => copy.destination).sort()).toEqual(
      [`${workdir}/dist`, `${workdir}/generated`, `${workdir}/node_modules`].map((path) => posix.normalize(path)).sort(),
    );
    const stageOf = (name: string | undefined) => dockerfile.find((stage) => stage.name === name)!;
    const runs = (stage: Stage) => stage.instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args);
    const modules = copies.find((copy) => copy.destination.endsWith('/node_modules'))!;
    expect(runs(stageOf(modules.from)).some((run) => /\bnpm ci\b.*--omit=dev\b/.test(run))).toBe(true);
    expect(runs(stageOf(modules.from)).some((run) => /\bnpm (install|i)\b/.test(run))).toBe(false);
    const bundle = copies.find((copy) => copy.destination.endsWith('/dist'))!;
    expect(runs(stageOf(bundle.from))).toContain('npm run build');
    // The build stage has what the build reads: the sources, the contract's generated code, the build script.
    const buildSources = stageOf(bundle.from)
      .instructions.filter((instruction) => instruction.keyword === 'COPY')
      .flatMap((instruction) => flags(instruction.args).rest.split(' ').slice(0, -1));
    for (const needed of ['package.json', 'package-lock.json', 'src', 'generated', 'scripts/build.ts']) expect(buildSources).toContain(needed);
    for (const source of buildSources) expect(existsSync(join(root, source))).toBe(true);
  });

  it('when production dependencies are installed without optional packages, then only packages the bundle does not load are left out', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
    const omitted = Object.entries(lock.packages)
      .filter(([path, entry]) => path && !entry.dev && entry.optional)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    // node-<os>-<arch>: Node binaries (the image has its own); @esbuild/*: tsx's compiler (the
    // image runs the bundle); fsevents: macOS only; pg-cloudflare: Cloudflare Workers only.
    const unneeded = /^(node-[a-z]+-[a-z0-9]+|@esbuild\/[a-z0-9-]+|fsevents|pg-cloudflare)$/;
    expect(omitted.filter((name) => !unneeded.test(name))).toEqual([]);
    const omitsOptional = dockerfile.flatMap((stage) => stage.instructions).some((instruction) => /\bnpm ci\b.*--omit=optional\b/.test(instruction.args));
    expect(omitsOptional).toBe(true);
  });

  it('when the container starts, then it runs the production start command, listening on every interface', () => {
    expect(cmd.join(' ')).toBe(packageJson.scripts['start:dist']);
    expect(imageEnv.HOST).toBe('0.0.0.0');
    expect(imageEnv.NODE_ENV).toBe('production');
    expect(finalOf('EXPOSE').map((instruction) => instruction.args)).toContain(imageEnv.PORT);
  });

  it('when Docker checks the container, then it asks /ready on the port the server listens on', () => {
    expect(healthcheck[0]).toBe('node');
    expect(healthcheck.join(' ')).toMatch(/\/ready\b/);
    expect(healthcheck.join(' ')).toMatch(/process\.env\.PORT/);
  });

  it('when the image is built, then no secret is built in and the context leaves the data directory out', () => {
    const secretish = /KEY|SECRET|PASSWORD|TOKEN|DATABASE_URL|CREDENTIAL/i;
    for (const stage of dockerfile) {
      for (const { keyword, args } of stage.instructions) {
        if (keyword === 'ENV' || keyword === 'ARG')
          expect(
            Object.keys(keyword === 'ENV' ? envOf({ ...stage, instructions: [{ keyword, args }] }) : { [args.split('=')[0]]: '' }).filter((name) =>
              secretish.test(name),
            ),
          ).toEqual([]);
        if (keyword === 'COPY' || keyword === 'ADD') {
          const sources = flags(args).rest.split(' ').slice(0, -1);
          expect(sources.filter((source) => ['.', './', '*'].includes(source))).toEqual([]); // not the whole context
          expect(sources.filter((source) => /\.data|\.env\b|\.pem\b|\.key\b|card-keys|demo-credentials/.test(source))).toEqual([]);
        }
      }
    }
    const ignore = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignore[0]).toBe('**'); // everything is left out unless listed
    expect(ignore.filter((line) => line.startsWith('!') && /\.data|\.env|\.pem|\.key|node_modules|dist/.test(line))).toEqual([]);
  });
});

describe('compose.yaml', () => {
  it('when read, then PostgreSQL has a healthcheck and the API waits for it to be healthy', () => {
    expect(postgres.image).toMatch(/^postgres:[0-9][A-Za-z0-9._-]*$/);
    const test = Array.isArray(postgres.healthcheck?.test) ? postgres.healthcheck.test.join(' ') : String(postgres.healthcheck?.test);
    expect(test).toMatch(/pg_isready/);
    expect(test).toMatch(/--host=127\.0\.0\.1|-h 127\.0\.0\.1/); // not the init script's temporary socket-only server
    expect(api.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(api.build === '.' || (typeof api.build === 'object' && api.build.context === '.')).toBe(true);
  });

  it('when the API starts, then its DATABASE_URL names the postgres service, its user, password and database', () => {
    const url = new URL(composeEnv.DATABASE_URL);
    const pg = Object.fromEntries(Object.entries(postgres.environment ?? {}).map(([name, value]) => [name, withDefaults(value)]));
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgres');
    expect(url.port || '5432').toBe('5432');
    expect(decodeURIComponent(url.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
  });

  it('when its environment is read by the server, then it is a valid configuration with demo data, keys and every interface', () => {
    const config = readConfig({ ...imageEnv, ...composeEnv });
    expect(config.demoData).toBe(true);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBeDefined();
    expect(() => cardVaultFor(config)).not.toThrow(); // both card keys, 32 bytes each
    expect(config.trustProxy).toBe(false);
  });

  it('when published, then the port is the server port, on this machine only', () => {
    const port = composeEnv.PORT ?? imageEnv.PORT;
    expect(api.ports).toEqual([`127.0.0.1:${port}:${port}`]);
  });

  it('when stopped, then the container has longer than the server shutdown grace before SIGKILL', () => {
    const grace = Number(composeEnv.SHUTDOWN_GRACE_SECONDS ?? readConfig({}).shutdownGraceSeconds);
    const stop = /^([0-9]+)s$/.exec(api.stop_grace_period ?? '');
    expect(stop).not.toBeNull();
    expect(Number(stop![1])).toBeGreaterThan(grace);
  });
});

/** A free TCP port (the server is given one, as the container is given 8080). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs the image's command in `cwd`; resolves once every `ready` pattern matches its output (the log and the banner are two streams: either may come first). */
function startContainerCommand(cwd: string, env: Record<string, string>, ready: RegExp[]) {
  const child = spawn(process.execPath, cmd.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.every((pattern) => pattern.test(output))) resolve(output);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exit.then((code) => reject(new Error(`the container command exited (${code}) before it was ready:\n${output}`)));
  });
  return { started, exit, output: () => output, stop: () => child.kill('SIGTERM') };
}

const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

describe("the image's /app, laid out without a container engine", () => {
  let app: string;

  beforeAll(() => {
    // dist/ made by npm run build, generated/, node_modules (here the project's).
    app = mkdtempSync(join(tmpdir(), 'cynod-image-'));
    const built = spawnSync('npm', ['run', '-s', 'build', '--', '--outdir', join(app, 'dist')], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
    cpSync(join(root, 'generated'), join(app, 'generated'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  }, 120_000);

  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('when bundled, then the bundles load only Node built-ins and production dependencies', () => {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const bundles = readdirSync(join(app, 'dist')).filter((file) => file.endsWith('.js'));
    expect(bundles.sort()).toEqual(['cli.js', 'main.js']);
    for (const bundle of bundles) {
      const text = readFileSync(join(app, 'dist', bundle), 'utf8');
      const loaded = [...text.matchAll(/\brequire\("([^"./][^"]*)"\)|\bimport\("([^"./][^"]*)"\)/g)].map((match) => match[1] ?? match[2]);
      const packages = loaded
        .filter((name) => !builtins.has(name))
        .map((name) => (name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]));
      expect({ bundle, notProduction: [...new Set(packages)].filter((name) => !(name in packageJson.dependencies)) }).toEqual({ bundle, notProduction: [] });
    }
  });

  onPostgres('its start command, on PostgreSQL', () => {
    let database: string;
    let databaseUrl: string;
    const admin = () => new Client({ connectionString: process.env.DATABASE_URL });

    beforeAll(async () => {
      database = `cynod_container_${randomBytes(4).toString('hex')}`;
      const client = admin();
      await client.connect();
      await client.query(`CREATE DATABASE ${database}`); // empty, as a fresh postgres service: the server migrates it
      await client.end();
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${database}`;
      databaseUrl = url.toString();
    });

    afterAll(async () => {
      if (!database) return;
      const client = admin();
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    });

    it('when started with the image and compose environment on an empty database, then it migrates, creates the demo partner, prints its credentials, is healthy, serves them and stops on SIGTERM; started again, it serves without a new demo partner', async () => {
      const port = String(await freePort());
      // A container's environment: the image's ENV, then compose.yaml's; this machine's PostgreSQL
      // stands in for the postgres service, a free port for 8080.
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: app,
        ...imageEnv,
        ...composeEnv,
        DATABASE_URL: databaseUrl,
        PORT: port,
        DATA_DIR: join(app, 'data'),
        LOG_LEVEL: 'info',
      };
      const first = startContainerCommand(app, env, [/consumer-secret:\s+\S+[\s\S]*partner\/v1\/me/, /"msg":"CYNOD API listening"/]);
      const banner = await first.started;
      expect(banner).toMatch(/"msg":"database ready"/);
      const consumerKey = /consumer-key:\s+(\S+)/.exec(banner)![1];
      const consumerSecret = /consumer-secret:\s+(\S+)/.exec(banner)![1];

      const health = spawnSync(process.execPath, healthcheck.slice(1), { env, encoding: 'utf8', timeout: 10_000 });
      expect(health.status).toBe(0);
      const base = `http://127.0.0.1:${port}`;
      const token = await call(`${base}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(consumerKey, consumerSecret) },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(200);
      const me = await call(`${base}/partner/v1/me`, { headers: { authorization: `Bearer ${token.body.access_token as string}` } });
      expect(me.body).toMatchObject({ success: true });
      const contract = await call(`${base}/openapi.json`);
      expect(contract.body.servers).toEqual([expect.objectContaining({ url: composeEnv.PUBLIC_BASE_URL })]);
      // The operators' CLI is in the image too.
      const listed = spawnSync(process.execPath, ['dist/cli.js', 'partner', 'list'], { cwd: app, env, encoding: 'utf8', timeout: 30_000 });
      expect(listed.status).toBe(0);
      expect(listed.stdout).toContain(consumerKey);
      first.stop();
      expect(await first.exit).toBe(0);
      expect(spawnSync(process.execPath, healthcheck.slice(1), { env, encoding: 'utf8', timeout: 10_000 }).status).toBe(1);

      // docker compose restart: the same database, the demo partner kept; its secret is not shown again.
      const second = startContainerCommand(app, env, [/"msg":"CYNOD API listening"/]);
      await second.started;
      expect(spawnSync(process.execPath, healthcheck.slice(1), { env, encoding: 'utf8', timeout: 10_000 }).status).toBe(0);
      expect(second.output()).not.toContain(consumerSecret);
      second.stop();
      expect(await second.exit).toBe(0);
      expect(second.output()).toMatch(/demo partner exists but its credentials file is gone/);
    }, 120_000);
  });
});
