/**
 * Where the card-number keys come from: CARD_HASH_KEY and CARD_ENCRYPTION_KEY, or, on the
 * embedded database only, a key file made once in the data directory (mode 0600). On
 * PostgreSQL the keys must be configured: a lost key makes every stored number unusable.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from './config';
import { CardVault, newCardKeys, type CardKeys } from './domain/cards/card-numbers';

export function cardVaultFor(config: Pick<Config, 'cardHashKey' | 'cardEncryptionKey' | 'cardIin' | 'databaseUrl' | 'dataDir'>): CardVault {
  if (config.cardHashKey && config.cardEncryptionKey) {
    return new CardVault({ hashKey: config.cardHashKey, encryptionKey: config.cardEncryptionKey }, config.cardIin);
  }
  if (config.cardHashKey || config.cardEncryptionKey) throw new ConfigError('set both CARD_HASH_KEY and CARD_ENCRYPTION_KEY, or neither');
  if (config.databaseUrl) throw new ConfigError('CARD_HASH_KEY and CARD_ENCRYPTION_KEY are required with DATABASE_URL');
  const file = join(config.dataDir, 'card-keys.json');
  let keys: CardKeys;
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { hashKey: string; encryptionKey: string };
    keys = { hashKey: Buffer.from(stored.hashKey, 'base64'), encryptionKey: Buffer.from(stored.encryptionKey, 'base64') };
  } else {
    keys = newCardKeys();
    writeFileSync(file, JSON.stringify({ hashKey: keys.hashKey.toString('base64'), encryptionKey: keys.encryptionKey.toString('base64') }) + '\n', {
      mode: 0o600,
    });
  }
  return new CardVault(keys, config.cardIin);
}
