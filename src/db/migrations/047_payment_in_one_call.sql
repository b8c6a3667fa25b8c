-- A payment at a service point in one call (src/domain/payments/one-call.ts): the work of the
-- general path (src/domain/payments/operations.ts takePayment, through ledger/posting.ts and
-- idempotency.ts) for the common payment, as one statement, so that it costs one round trip
-- instead of eight. It does only what it can do exactly as the general path does, and hands
-- back everything else, having written nothing:
--
--   1. the key's claim (the transaction-scoped advisory lock, then what is stored under the key):
--      not claimed, or stored, it returns that, as idempotency.ts `claim` reads it;
--   2. the paying card (a Core payment's by id; a partner's by its number's hash, at a service
--      point the partner is contracted for), the service point's E-service card and both
--      accounts in the unit, as payment-accounts.ts reads them. Handed back: a card that is not
--      a member card, a service point without its E-service account in the unit yet, a member
--      account summed from its entries, a card with spending controls (its own or its profile's),
--      a vehicle, a driver, or a moved sandbox clock;
--   3. the locks in the ledger's order (ledger/posting.ts lockLedger): the member card FOR NO KEY
--      UPDATE, the E-service card FOR KEY SHARE, then the accounts that keep their balance on
--      their row, in id order, FOR NO KEY UPDATE (a summed E-service account, credited, is not
--      locked);
--   4. under the locks, every check of card-rules.ts and posting.ts: the paying card active, not
--      expired, of an active client, allowed the service by its profile; the E-service card
--      neither opposed, cancelled nor expired; the available balance covering the amount; the
--      balances left within the contract's bounds. Any of them failing is handed back: the
--      general path refuses it, with its figures, and keeps the refusal and the card's decline;
--   5. the operation, the balances, the entries (each with the balance and version after it),
--      the operation.completed event of each card (the member card's with its next sequence
--      number), and the answer stored under the key, status 200.
--
-- p_shown is the operation as the contract shows it (ledger/operations-read.ts toOperation),
-- but what the database gives: its reference, its createdAt and its two accounts, set here.
-- Returns one row: claimed (false: the key is in flight), stored (the key's row, to replay or
-- refuse as reused), posted (the operation shown, when it was posted); claimed with neither
-- stored nor posted: nothing was written, the general path runs.
CREATE FUNCTION post_payment_in_one_call(
  p_caller text, p_key text, p_operation text, p_fingerprint text,
  p_card_id text, p_number_hash text, p_partner_id text, p_service_point_id text,
  p_unit text, p_amount bigint, p_service text, p_receipt_number text, p_pump_number integer, p_odometer_km bigint,
  p_external_reference text, p_actor_kind text, p_actor_id text, p_actor_name text, p_channel text, p_request_id text,
  p_operation_id text, p_event_ids text[], p_shown jsonb
) RETURNS TABLE (claimed boolean, stored jsonb, posted jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  lowest CONSTANT bigint := -1000000000000;
  highest CONSTANT bigint := 1000000000000;
  v_stored jsonb;
  v_card_id text := p_card_id;
  v_ctx record;
  v_card record;
  v_station record;
  v_account record;
  v_posted bigint;
  v_held bigint;
  v_version bigint;
  v_station_posted bigint;
  v_station_version bigint;
  v_op record;
  v_sequence bigint;
  v_shown jsonb;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(p_caller || ' ' || p_key, 0)) THEN
    RETURN QUERY SELECT false, NULL::jsonb, NULL::jsonb;
    RETURN;
  END IF;
  SELECT to_jsonb(k) INTO v_stored
    FROM (SELECT i.operation, i.fingerprint, i.status, i.answer FROM idempotency_keys i WHERE i.caller = p_caller AND i.key = p_key) k;
  IF v_stored IS NOT NULL THEN
    RETURN QUERY SELECT true, v_stored, NULL::jsonb;
    RETURN;
  END IF;

  IF p_number_hash IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM partner_contracts pc WHERE pc.partner_id = p_partner_id AND pc.service_point_id = p_service_point_id AND pc.ended_at IS NULL) THEN
      RETURN QUERY SELECT true, NULL::jsonb, NULL::jsonb;
      RETURN;
    END IF;
    SELECT c.id INTO v_card_id FROM cards c WHERE c.number_hash = p_number_hash AND c.kind = 'member';
  END IF;

  SELECT c.id AS card, c.kind AS card_kind, st.id AS station_card, st.kind AS station_kind,
         ca.id AS card_account, ca.stored_balance AS card_stored, sa.id AS station_account, sa.stored_balance AS station_stored,
         cc.rules AS card_rules, pc.rules AS profile_rules, c.vehicle_id, c.driver_id,
         EXISTS (SELECT 1 FROM sandbox_clock_moves m WHERE m.client_id = c.client_id) AS clock_moved
    INTO v_ctx
    FROM (SELECT 1) one
    LEFT JOIN cards c ON c.id = v_card_id
    LEFT JOIN cards st ON st.service_point_id = p_service_point_id
    LEFT JOIN ledger_accounts ca ON ca.card_id = c.id AND ca.unit_code = p_unit
    LEFT JOIN ledger_accounts sa ON sa.card_id = st.id AND sa.unit_code = p_unit
    LEFT JOIN card_controls cc ON cc.card_id = c.id
    LEFT JOIN card_profile_controls pc ON pc.profile_id = c.profile_id;
  IF v_ctx.card IS NULL OR v_ctx.card_kind <> 'member' OR v_ctx.station_card IS NULL OR v_ctx.station_kind = 'member'
     OR v_ctx.card_account IS NULL OR NOT v_ctx.card_stored OR v_ctx.station_account IS NULL
     OR COALESCE(v_ctx.card_rules, '{}'::jsonb) <> '{}'::jsonb OR COALESCE(v_ctx.profile_rules, '{}'::jsonb) <> '{}'::jsonb
     OR v_ctx.vehicle_id IS NOT NULL OR v_ctx.driver_id IS NOT NULL OR v_ctx.clock_moved THEN
    RETURN QUERY SELECT true, NULL::jsonb, NULL::jsonb;
    RETURN;
  END IF;

  -- The ledger's lock order: member cards, E-service cards (shared), then accounts, each in id order.
  SELECT c.status, c.expires_at, cl.status AS client_status, pr.allowed_services INTO v_card
    FROM cards c LEFT JOIN clients cl ON cl.id = c.client_id LEFT JOIN card_profiles pr ON pr.id = c.profile_id
   WHERE c.id = v_ctx.card AND c.kind = 'member' FOR NO KEY UPDATE OF c;
  SELECT c.status, c.expires_at INTO v_station FROM cards c WHERE c.id = v_ctx.station_card AND c.kind <> 'member' FOR KEY SHARE;
  FOR v_account IN
    SELECT a.id, a.posted, a.held, a.version FROM ledger_accounts a
     WHERE a.id = v_ctx.card_account OR (a.id = v_ctx.station_account AND v_ctx.station_stored) ORDER BY a.id FOR NO KEY UPDATE
  LOOP
    IF v_account.id = v_ctx.card_account THEN
      v_posted := v_account.posted; v_held := v_account.held; v_version := v_account.version;
    ELSE
      v_station_posted := v_account.posted; v_station_version := v_account.version;
    END IF;
  END LOOP;

  -- Under the locks: a payment that any check would refuse is the general path's, to refuse with its figures.
  IF v_card.status IS DISTINCT FROM 'active' OR (v_card.expires_at IS NOT NULL AND v_card.expires_at <= clock_timestamp())
     OR v_card.client_status IS DISTINCT FROM 'active' OR NOT COALESCE(p_service = ANY (v_card.allowed_services), false)
     OR v_station.status IS NULL OR v_station.status IN ('opposed', 'cancelled') OR (v_station.expires_at IS NOT NULL AND v_station.expires_at <= clock_timestamp())
     OR v_posted IS NULL OR v_posted - v_held < p_amount OR v_posted - p_amount < lowest OR v_posted - p_amount > highest
     OR (v_ctx.station_stored AND (v_station_posted IS NULL OR v_station_posted + p_amount > highest OR v_station_posted + p_amount < lowest)) THEN
    RETURN QUERY SELECT true, NULL::jsonb, NULL::jsonb;
    RETURN;
  END IF;

  INSERT INTO ledger_operations (id, type, status, unit_code, amount, debit_account_id, credit_account_id, service_point_id, partner_id,
      external_reference, receipt_number, service, pump_number, odometer_km, driver_check, actor_kind, actor_id, actor_name, channel, request_id)
    VALUES (p_operation_id, 'payment', 'completed', p_unit, p_amount, v_ctx.card_account, v_ctx.station_account, p_service_point_id, p_partner_id,
      p_external_reference, p_receipt_number, p_service, p_pump_number, p_odometer_km, 'no-driver', p_actor_kind, p_actor_id, p_actor_name, p_channel, p_request_id)
    RETURNING reference, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at INTO v_op;
  UPDATE ledger_accounts SET posted = v_posted - p_amount, version = v_version + 1 WHERE id = v_ctx.card_account;
  IF v_ctx.station_stored THEN
    UPDATE ledger_accounts SET posted = v_station_posted + p_amount, version = v_station_version + 1 WHERE id = v_ctx.station_account;
  END IF;
  INSERT INTO ledger_entries (operation_id, account_id, unit_code, amount, balance_after, version_after) VALUES
    (p_operation_id, v_ctx.card_account, p_unit, -p_amount, v_posted - p_amount, v_version + 1),
    (p_operation_id, v_ctx.station_account, p_unit, p_amount,
     CASE WHEN v_ctx.station_stored THEN v_station_posted + p_amount END, CASE WHEN v_ctx.station_stored THEN v_station_version + 1 END);

  v_shown := p_shown || jsonb_build_object(
    'reference', v_op.reference,
    'createdAt', v_op.created_at,
    'debit', jsonb_build_object('accountId', v_ctx.card_account, 'kind', 'card', 'cardId', v_ctx.card, 'partnerId', NULL),
    'credit', jsonb_build_object('accountId', v_ctx.station_account, 'kind', 'card', 'cardId', v_ctx.station_card, 'partnerId', NULL));
  UPDATE cards SET event_sequence = event_sequence + 1 WHERE id = v_ctx.card AND kind = 'member' RETURNING event_sequence INTO v_sequence;
  INSERT INTO events (id, type, resource_type, resource_id, card_id, card_sequence, data, partner_id) VALUES
    (p_event_ids[1], 'operation.completed', 'operation', p_operation_id, v_ctx.card, v_sequence, v_shown, p_partner_id),
    (p_event_ids[2], 'operation.completed', 'operation', p_operation_id, v_ctx.station_card, NULL, v_shown, p_partner_id);
  INSERT INTO idempotency_keys (caller, key, operation, fingerprint, status, answer)
    VALUES (p_caller, p_key, p_operation, p_fingerprint, 200, jsonb_build_object('data', v_shown));
  RETURN QUERY SELECT true, NULL::jsonb, v_shown;
END $$;
