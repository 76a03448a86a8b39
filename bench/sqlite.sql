-- bench/sqlite.sql — sqlite3 building and querying a table (in memory); the output
-- is deterministic (payloads are random bytes, but only their lengths are printed).
-- The row count comes from the driver: sqlite3 -cmd "create temp table n(v); insert into n values(ROWS)" :memory: < sqlite.sql
PRAGMA cache_size = -65536;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, name TEXT, payload BLOB, score REAL);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < (SELECT v FROM n))
INSERT INTO t(k, name, payload, score)
  SELECT (i * 7919) % 10007, 'name-' || (i * 104729 % 100003) || '-' || printf('%08x', (i * 2654435761) % 4294967296),
         randomblob(16 + i % 200), (i % 1000) / 7.0 FROM c;
CREATE INDEX t_k ON t(k);
CREATE INDEX t_name ON t(name);
SELECT count(*), sum(length(payload)) FROM t;
SELECT k, count(*), avg(score) FROM t GROUP BY k ORDER BY 2 DESC, 1 LIMIT 5;
SELECT count(*) FROM t a JOIN t b ON a.k = b.k AND a.id < b.id WHERE a.id % 50 = 0;
SELECT count(DISTINCT substr(name, 1, 9)) FROM t;
SELECT group_concat(name, ',') IS NOT NULL FROM (SELECT name FROM t ORDER BY name LIMIT 2000);
UPDATE t SET score = score * 2 WHERE k % 3 = 0;
DELETE FROM t WHERE id % 4 = 0;
SELECT count(*), printf('%.3f', sum(score)) FROM t;
