-- A refusal for funds (4010) says which kind of account's bound failed (details.account: card,
-- partner-float...), so that the 3rd Party API, whose answers never name a ledger account, can
-- still tell a partner whether the card or its float fell short. The refusals stored before
-- (declines, and idempotency keys' answers replayed to retries) get theirs from the account
-- they name.
UPDATE card_declines d SET details = d.details || jsonb_build_object('account', a.kind)
  FROM ledger_accounts a
 WHERE d.details ? 'bound' AND NOT d.details ? 'account' AND a.id = d.details ->> 'accountId';

UPDATE idempotency_keys k SET answer = jsonb_set(k.answer, '{refusal,details,account}', to_jsonb(a.kind))
  FROM ledger_accounts a
 WHERE k.answer -> 'refusal' -> 'details' ? 'bound' AND NOT k.answer -> 'refusal' -> 'details' ? 'account'
   AND a.id = k.answer -> 'refusal' -> 'details' ->> 'accountId';
