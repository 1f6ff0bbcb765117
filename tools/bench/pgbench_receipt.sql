-- pgbench: the database work of one receipt, as a single transaction (the ceiling for
-- POST /v1/receipts on PostgreSQL): lock the member's row, read its entries, append two
-- entries, update the counters, store the receipt and the operation.
\set member random(1, 300)
\set op random(1, 1000000000)
BEGIN;
SELECT spend_total FROM member_counters WHERE merchant_id = 'demo' AND member_id = :member::text FOR UPDATE;
SELECT body FROM member_entries WHERE merchant_id = 'demo' AND member_id = :member::text ORDER BY seq;
INSERT INTO member_entries (merchant_id, member_id, seq, entry_id, reason, at_ms, member_delta, body)
  SELECT 'demo', :member::text, COALESCE(MAX(seq), 0) + 1, md5(random()::text), 'earn', 0, 12, '{"postings":[]}'
  FROM member_entries WHERE merchant_id = 'demo' AND member_id = :member::text;
UPDATE member_counters SET spend_total = spend_total + 25000 WHERE merchant_id = 'demo' AND member_id = :member::text;
INSERT INTO receipts VALUES ('demo', md5(random()::text), :member::text, md5(random()::text), 0, 25000, 12, '{}', '{}', '[]');
INSERT INTO operations VALUES ('demo', md5(random()::text), 'receipt', :member::text, '{}', 201, '{}', 0);
COMMIT;
