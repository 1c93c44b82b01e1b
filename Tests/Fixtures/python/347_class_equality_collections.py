# User objects in lists, dicts and sets: membership and dedup via __eq__/__hash__.
class Tag:
    def __init__(self, name):
        self.name = name.lower()
    def __eq__(self, other):
        return isinstance(other, Tag) and self.name == other.name
    def __hash__(self):
        return hash(self.name)
    def __repr__(self):
        return f"#{self.name}"

tags = [Tag("Python"), Tag("python"), Tag("AI"), Tag("ai"), Tag("web")]
unique = []
for t in tags:
    if t not in unique:
        unique.append(t)
print(unique)
print(len(set(tags)), Tag("WEB") in set(tags))
counts = {}
for t in tags:
    counts[t] = counts.get(t, 0) + 1
print(counts)
print(tags.count(Tag("AI")), tags.index(Tag("web")))
