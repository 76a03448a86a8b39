-- sqlite3: create, insert 20,000 rows, index, query.
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000)
INSERT INTO t(k, v) SELECT (x * 7919) % 1000, 'row' || x FROM c;
COMMIT;
CREATE INDEX tk ON t(k);
SELECT count(*), sum(k), max(v) FROM t;
SELECT k, count(*) FROM t WHERE k < 5 GROUP BY k ORDER BY k;
UPDATE t SET v = upper(v) WHERE k = 7;
DELETE FROM t WHERE k > 900;
SELECT count(*), min(v) FROM t;
SELECT group_concat(v) FROM (SELECT v FROM t WHERE k = 7 ORDER BY id LIMIT 5);
