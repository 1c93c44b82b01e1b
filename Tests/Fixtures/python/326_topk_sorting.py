# Top-k selection from dicts by value with tie-breaking on keys.
scores = {"ann": 91, "bob": 78, "cyd": 91, "dee": 85, "eli": 78, "fay": 99}
top3 = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
print(top3)
print([name for name, _ in sorted(scores.items(), key=lambda kv: kv[1])])
print(max(scores.values()), min(scores, key=scores.get))
ranked = {}
for rank, (name, score) in enumerate(sorted(scores.items(), key=lambda kv: -kv[1]), 1):
    ranked[name] = rank
print(ranked)
buckets = {}
for name, s in scores.items():
    buckets.setdefault(s // 10 * 10, []).append(name)
print(dict(sorted(buckets.items())))
