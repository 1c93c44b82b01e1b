# Building lists with loops, index-based updates, and list of lists.
scores = [70, 85, 92, 60]
for i, s in enumerate(scores):
    if s < 75:
        scores[i] = s + 5
print(scores)
table = []
for r in range(3):
    row = []
    for c in range(4):
        row.append(r * c)
    table.append(row)
print(table)
print([row[-1] for row in table], sum(map(sum, table)))
flat = []
for row in table:
    flat += row
print(flat, flat.index(6))
