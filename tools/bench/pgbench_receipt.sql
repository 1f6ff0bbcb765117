-- pgbench: the statements kopilka-server runs for one POST /v1/receipts (a till's key, the
-- member by card) on PostgreSQL, in the same transactions, order and round trips (from
-- log_statement = all; each \startpipeline … \endpipeline block is one batch the server
-- sends as one pipeline, pg_store.cpp); tools/bench.sh server runs this with -M prepared as
-- the ceiling for receipts. The till's key, the merchant, the program and the kiosk's
-- settings and wheel come from the server's configuration cache (no statements once warm).
-- @CARDS@ and @MEMBERS@ are the bench's members' cards and ids, @NOW@ the time; the stored
-- texts are ones the server stored (:receipt_text, :quote_text, :entry_text, :state_text,
-- :points_text, :request_text, :response_text, set with -D: of each column, a value of about
-- its average length), so that PostgreSQL compresses and moves out of line what it does for
-- the server. Where the server sends the revision of the checkpoint it keeps decoded
-- (storage/checkpoint_cache.hpp; the row has it in the steady state, and the body is then left
-- out), this writes revision 1 and reads with 1. The bench first moves every
-- checkpoint's seq up by 10^9, so these entries never meet the server's. pgbench can't carry
-- an answer out of a pipeline (\gset is refused there), so where the server sends the
-- checkpoint's seq and the running tier sum it read, these writes read them again in a
-- subquery (four primary-key probes more for the ceiling). Keep in sync with
-- tools/server/api/receipts.cpp and member_write.cpp.
\set k random(1, @COUNT@)
\set op random(1, 9000000000000000000)
SELECT m.member_id, m.display_name, COALESCE((SELECT number FROM cards c WHERE c.merchant_id = m.merchant_id AND c.member_id = m.member_id ORDER BY c.created_at_ms, c.number LIMIT 1), ''), m.phone, m.email, m.birthday, m.consent_at_ms, m.created_at_ms, m.erased_at_ms, COALESCE((SELECT v.version FROM row_versions v WHERE v.merchant_id = m.merchant_id AND v.kind = 'member' AND v.row_id = m.member_id), 1) FROM members m WHERE m.merchant_id = 'demo' AND m.member_id = (SELECT c.member_id FROM cards c WHERE c.merchant_id = 'demo' AND c.number = (ARRAY[@CARDS@])[:k]);
\startpipeline
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT 1 FROM member_counters WHERE merchant_id = 'demo' AND member_id = (ARRAY[@MEMBERS@])[:k] FOR UPDATE;
SELECT kind, member_id, request, status, response, at_ms FROM operations WHERE merchant_id = 'demo' AND op_id = 'op-' || :op;
SELECT 0, s.seq, s.version, CASE WHEN (s.points_from_ms <= CAST(-1 AS BIGINT) AND CAST(-1 AS BIGINT) < s.points_until_ms) OR s.rev = CAST(1 AS BIGINT) THEN NULL ELSE s.body END, c.spend_total, c.last_purchase_ms, c.tier_held, c.window_start_ms, c.stamps, c.spins, CASE WHEN c.member_id IS NULL THEN 0 ELSE 1 END AS has_counters, CASE WHEN CAST(@WINDOW_FROM@ AS BIGINT) < 0 THEN 0 WHEN c.tier_sum_from_ms IS NULL THEN (SELECT CAST(COALESCE(SUM(r.tier_qualifying), 0) AS BIGINT) FROM (SELECT r.tier_qualifying FROM receipts r WHERE r.merchant_id = 'demo' AND r.member_id = (ARRAY[@MEMBERS@])[:k] AND r.at_ms >= CAST(@WINDOW_FROM@ AS BIGINT) ORDER BY r.at_ms) r) ELSE c.tier_sum + (SELECT CAST(COALESCE(SUM(CASE WHEN r.at_ms >= CAST(@WINDOW_FROM@ AS BIGINT) THEN r.tier_qualifying ELSE -r.tier_qualifying END), 0) AS BIGINT) FROM (SELECT r.at_ms, r.tier_qualifying FROM receipts r WHERE r.merchant_id = 'demo' AND r.member_id = (ARRAY[@MEMBERS@])[:k] AND r.at_ms >= CASE WHEN CAST(@WINDOW_FROM@ AS BIGINT) < c.tier_sum_from_ms THEN CAST(@WINDOW_FROM@ AS BIGINT) ELSE c.tier_sum_from_ms END AND r.at_ms < CASE WHEN CAST(@WINDOW_FROM@ AS BIGINT) < c.tier_sum_from_ms THEN c.tier_sum_from_ms ELSE CAST(@WINDOW_FROM@ AS BIGINT) END ORDER BY r.at_ms) r) END, s.points, s.points_from_ms, s.points_until_ms, s.rev FROM (SELECT 1 AS one) k LEFT JOIN member_state s ON s.merchant_id = 'demo' AND s.member_id = (ARRAY[@MEMBERS@])[:k] LEFT JOIN member_counters c ON c.merchant_id = 'demo' AND c.member_id = (ARRAY[@MEMBERS@])[:k] UNION ALL SELECT 1, e.seq, NULL, e.body, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM (SELECT e.seq, e.body FROM member_entries e WHERE e.merchant_id = 'demo' AND e.member_id = (ARRAY[@MEMBERS@])[:k] AND e.seq >= (SELECT x.seq FROM member_state x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]) AND e.seq < (SELECT x.seq FROM member_state x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]) + 4611686018427387904 ORDER BY e.seq) e ORDER BY 1, 2;
SELECT receipt_id, member_id, op_id, at_ms, paid, tier_qualifying, receipt, quote, returned FROM receipts WHERE merchant_id = 'demo' AND receipt_id = 'B-' || :op;
SELECT inviter_id, created_at_ms, qualified_at_ms, qualified_op FROM referrals WHERE merchant_id = 'demo' AND member_id = (ARRAY[@MEMBERS@])[:k];
\endpipeline
\startpipeline
INSERT INTO receipts (merchant_id, receipt_id, member_id, op_id, at_ms, paid, tier_qualifying, receipt, quote, returned) VALUES ('demo', 'B-' || :op, (ARRAY[@MEMBERS@])[:k], 'op-' || :op, @NOW@, 25000, 12, :receipt_text, :quote_text, '[]');
INSERT INTO member_counters (merchant_id, member_id, spend_total, last_purchase_ms, tier_held, window_start_ms, stamps, spins, tier_sum, tier_sum_from_ms) VALUES ('demo', (ARRAY[@MEMBERS@])[:k], 25000, @NOW@, 'base', @NOW@, '{}', '{}', COALESCE((SELECT x.tier_sum FROM member_counters x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]), 0) + 12, @WINDOW_FROM@) ON CONFLICT (merchant_id, member_id) DO UPDATE SET spend_total = excluded.spend_total, last_purchase_ms = excluded.last_purchase_ms, tier_held = excluded.tier_held, window_start_ms = excluded.window_start_ms, stamps = excluded.stamps, spins = excluded.spins, tier_sum = excluded.tier_sum, tier_sum_from_ms = excluded.tier_sum_from_ms;
INSERT INTO member_entries (merchant_id, member_id, seq, entry_id, reason, at_ms, member_delta, body, history_no) VALUES ('demo', (ARRAY[@MEMBERS@])[:k], (SELECT x.seq FROM member_state x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]), 'e-' || :op, 'earn', @NOW@, 12, :entry_text, CAST(1 AS BIGINT) + COALESCE((SELECT p.history_no FROM member_entries p WHERE p.merchant_id = 'demo' AND p.member_id = (ARRAY[@MEMBERS@])[:k] AND p.seq = (SELECT x.seq FROM member_state x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]) - 1), 0));
INSERT INTO member_state (merchant_id, member_id, seq, version, body, points, points_from_ms, points_until_ms, rev) VALUES ('demo', (ARRAY[@MEMBERS@])[:k], (SELECT x.seq FROM member_state x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]) + 1, 1, :state_text, :points_text, @NOW@, @NOW@ + 86400000, 1) ON CONFLICT (merchant_id, member_id) DO UPDATE SET seq = excluded.seq, version = excluded.version, body = excluded.body, points = excluded.points, points_from_ms = excluded.points_from_ms, points_until_ms = excluded.points_until_ms, rev = excluded.rev;
INSERT INTO operations (merchant_id, op_id, kind, member_id, request, status, response, at_ms) VALUES ('demo', 'op-' || :op, 'receipt', (ARRAY[@MEMBERS@])[:k], :request_text, 201, :response_text, @NOW@);
COMMIT;
\endpipeline
