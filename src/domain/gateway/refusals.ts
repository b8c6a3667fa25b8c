/**
 * Refusals as the 3rd Party API shows them: its views name cards and floats, never the
 * ledger's accounts (used for live answers by the error mapper, and for stored declines).
 */
import { AppError } from '../app-error';

/**
 * What the 3rd Party API shows of a refusal's message and figures: never the ledger account a
 * refusal for funds names (its id and version), only which kind of account fell short.
 */
export function withoutLedgerAccount<D extends object | null | undefined>(message: string, details: D): { message: string; details: D } {
  const bare = message.replace(/ \(account acc_[0-9a-f]+\)/gu, '');
  if (!details || !('accountId' in details || 'accountVersion' in details)) return { message: bare, details };
  const { accountId: _account, accountVersion: _version, ...figures } = details as { accountId?: unknown; accountVersion?: unknown };
  return { message: bare, details: figures as D };
}

/** A refusal as the 3rd Party API answers it (see withoutLedgerAccount). */
export function partnerRefusal(error: AppError): AppError {
  const { message, details } = withoutLedgerAccount(error.debugMessage, error.details);
  if (message === error.debugMessage && details === error.details) return error;
  return new AppError(error.codeName, message, { status: error.status, headers: error.headers, oauthError: error.oauthError, errors: error.errors, details });
}
