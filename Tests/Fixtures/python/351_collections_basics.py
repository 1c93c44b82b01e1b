# collections: defaultdict, Counter.most_common, OrderedDict, deque with maxlen, namedtuple.
from collections import Counter, OrderedDict, defaultdict, deque, namedtuple

groups = defaultdict(list)
for word in ["apple", "avocado", "banana", "blueberry", "cherry"]:
    groups[word[0]].append(word)
print(groups)
print(dict(groups), groups["z"], len(groups))

counts = Counter("mississippi")
print(counts.most_common(2), counts["s"], counts["q"])
print(Counter(["a", "b", "a"]) + Counter({"b": 3}))

od = OrderedDict()
od["first"] = 1
od["second"] = 2
od["third"] = 3
od.move_to_end("first")
print(od, list(od.keys()))

recent = deque(maxlen=3)
for i in range(5):
    recent.append(i)
recent.appendleft(-1)
print(recent, recent.popleft(), recent.pop(), len(recent))

Point = namedtuple("Point", ["x", "y"])
p = Point(3, y=4)
print(p, p.x + p.y, p._asdict(), p._replace(x=0), tuple(p), isinstance(p, tuple))
