-- pgbench: the statements kopilka-server runs for one POST /v1/members/lookup by a card's QR on
-- PostgreSQL when it reads each lookup alone (KOPILKA_READS_TOGETHER=0; by default it reads the
-- lookups that arrive together, a lone one too, in one statement over their cards that reads the
-- same rows as these two, storage/read_groups.hpp and SqlStore::read_cards), in the same order
-- (from log_statement = all): the member by
-- card, then the checkpoint with the counters, the entries after it and the tier window's sum in
-- one statement, outside a transaction (one statement is its own snapshot); tools/bench.sh server
-- runs this with -M prepared as the ceiling for lookups (the merchant, the program and the
-- kiosk's settings and wheel come from the server's cache). @CARDS@ and @MEMBERS@ are the three
-- demo members' cards and ids, @NOW@ the time; keep this in sync with the server's lookup path
-- (tools/server/api/member_lookup.cpp).
\set k random(1, @COUNT@)
SELECT m.member_id, m.display_name, COALESCE((SELECT number FROM cards c WHERE c.merchant_id = m.merchant_id AND c.member_id = m.member_id ORDER BY c.created_at_ms, c.number LIMIT 1), ''), m.phone, m.email, m.birthday, m.consent_at_ms, m.created_at_ms, m.erased_at_ms, COALESCE((SELECT v.version FROM row_versions v WHERE v.merchant_id = m.merchant_id AND v.kind = 'member' AND v.row_id = m.member_id), 1) FROM members m WHERE m.merchant_id = 'demo' AND m.member_id = (SELECT c.member_id FROM cards c WHERE c.merchant_id = 'demo' AND c.number = (ARRAY[@CARDS@])[:k]);
SELECT 0, s.seq, s.version, s.body, c.spend_total, c.last_purchase_ms, c.tier_held, c.window_start_ms, c.stamps, c.spins, CASE WHEN c.member_id IS NULL THEN 0 ELSE 1 END, CASE WHEN CAST(@WINDOW_FROM@ AS BIGINT) < 0 THEN 0 ELSE (SELECT CAST(COALESCE(SUM(r.tier_qualifying), 0) AS BIGINT) FROM receipts r WHERE r.merchant_id = 'demo' AND r.member_id = (ARRAY[@MEMBERS@])[:k] AND r.at_ms >= CAST(@WINDOW_FROM@ AS BIGINT)) END FROM (SELECT 1 AS one) k LEFT JOIN member_state s ON s.merchant_id = 'demo' AND s.member_id = (ARRAY[@MEMBERS@])[:k] LEFT JOIN member_counters c ON c.merchant_id = 'demo' AND c.member_id = (ARRAY[@MEMBERS@])[:k] UNION ALL SELECT 1, e.seq, NULL, e.body, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM member_entries e WHERE e.merchant_id = 'demo' AND e.member_id = (ARRAY[@MEMBERS@])[:k] AND e.seq >= (SELECT x.seq FROM member_state x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]) AND e.seq < (SELECT x.seq FROM member_state x WHERE x.merchant_id = 'demo' AND x.member_id = (ARRAY[@MEMBERS@])[:k]) + 4611686018427387904 ORDER BY 1, 2;
