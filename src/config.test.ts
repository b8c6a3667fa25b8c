import { ConfigError, readConfig } from './config';

describe('readConfig', () => {
  it('when nothing is set, then it listens on 127.0.0.1:8080 on the embedded database with demo data', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, databaseUrl: undefined, tokenTtlSeconds: 3600, demoData: true, validateResponses: true });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('when DATABASE_URL is set, then demo data is off unless asked for', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://x@h/db' }).demoData).toBe(false);
    expect(readConfig({ DATABASE_URL: 'postgres://x@h/db', DEMO_DATA: 'true' }).demoData).toBe(true);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TOKEN_TTL_SECONDS', '10'],
    ['VALIDATE_RESPONSES', 'yes'],
    ['LOG_LEVEL', 'loud'],
  ])('when %s is %s, then it refuses to start and names the variable', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });
});
