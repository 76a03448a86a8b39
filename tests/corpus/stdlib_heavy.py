# A stdlib-heavy script: many modules, threads, a subprocess; deterministic output.
import base64, bisect, collections, csv, datetime, decimal, difflib, fractions
import hashlib, heapq, io, itertools, json, re, statistics, struct, subprocess
import sys, textwrap, threading, zlib, sqlite3, random

random.seed(1234)
data = [random.randint(0, 10**6) for _ in range(20000)]
print("sum", sum(data), "median", statistics.median(data))
counter = collections.Counter(x % 17 for x in data)
print("most common", counter.most_common(3))
blob = json.dumps({"k%d" % i: [i, str(i), i * 0.5] for i in range(5000)}, sort_keys=True).encode()
print("json", len(blob), hashlib.sha256(blob).hexdigest()[:16])
z = zlib.compress(blob, 9)
assert zlib.decompress(z) == blob
print("zlib", len(z))
print("b64", base64.b64encode(blob[:30]).decode())
words = re.findall(r"[a-z]+", textwrap.dedent("""
    lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod
    tempor incididunt ut labore et dolore magna aliqua""") * 50)
print("words", len(words), sorted(set(words))[:4])
decimal.getcontext().prec = 50
print("sqrt2", decimal.Decimal(2).sqrt())
print("frac", sum(fractions.Fraction(1, n) for n in range(1, 40)))
print("date", datetime.date(2020, 1, 1) + datetime.timedelta(days=1000))
h = list(data[:1000]); heapq.heapify(h)
print("heap", [heapq.heappop(h) for _ in range(3)])
s = sorted(data); print("bisect", bisect.bisect_left(s, 500000))
print("struct", struct.pack("<iqd", 1, 2, 3.0).hex())
buf = io.StringIO()
w = csv.writer(buf)
for row in itertools.islice(itertools.product(range(10), "abc"), 20):
    w.writerow(row)
print("csv", len(buf.getvalue()))
print("diff", len(list(difflib.unified_diff(["a", "b", "c"], ["a", "c", "d"]))))
db = sqlite3.connect(":memory:")
db.execute("create table t(a, b)")
db.executemany("insert into t values (?, ?)", ((i, str(i)) for i in range(3000)))
print("sqlite", db.execute("select count(*), sum(a) from t").fetchone())
db.close()
results = [0] * 4
def work(n):
    results[n] = sum(hashlib.md5(str(i).encode()).digest()[0] for i in range(n * 2000, n * 2000 + 2000))
threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print("threads", results)
out = subprocess.run(["echo", "from a child"], capture_output=True, text=True).stdout.strip()
print("subprocess", out)
sys.exit(0)
