"""bench/stdlib.py — python3 running stdlib-heavy work: json, re, collections,
string formatting, sorting, dataclasses, itertools, hashlib, textwrap.
    python3 stdlib.py [N]     (default 40000 records)"""
import collections, dataclasses, hashlib, itertools, json, random, re, sys, textwrap

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
rng = random.Random(42)
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
         "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi"]

@dataclasses.dataclass
class Rec:
    id: int
    name: str
    tags: list
    score: float

recs = [Rec(i, " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8))),
            [rng.choice(WORDS) for _ in range(rng.randint(0, 5))], rng.random() * 100)
        for i in range(N)]
blob = json.dumps([dataclasses.asdict(r) for r in recs])
back = json.loads(blob)
assert len(back) == N

pat = re.compile(r"\b(\w)(\w*a)\b")
counter = collections.Counter()
by_tag = collections.defaultdict(list)
for r in back:
    for m in pat.finditer(r["name"]):
        counter[m.group(1) + m.group(2)[-2:]] += 1
    for t in r["tags"]:
        by_tag[t].append(r["id"])
    r["name"] = re.sub(r"(\w+) (\w+)", r"\2-\1", r["name"])

top = sorted(back, key=lambda r: (-r["score"], r["name"]))[:1000]
dq = collections.deque(maxlen=500)
for a, b in itertools.pairwise(top):
    dq.append(f"{a['id']:>6}/{b['id']:<6} {a['score'] - b['score']:.4f}")
h = hashlib.sha256("\n".join(dq).encode()).hexdigest()
text = textwrap.fill(" ".join(r["name"] for r in top[:300]), width=72)
groups = {k: len(list(g)) for k, g in itertools.groupby(sorted(t for r in back for t in r["tags"]))}
od = collections.OrderedDict(sorted(counter.items()))
print(f"stdlib.py: {N} records, {len(blob)} json bytes, {len(od)} keys, {len(by_tag)} tags, "
      f"{sum(groups.values())} tag uses, {len(text.splitlines())} lines, sha {h[:12]}")
