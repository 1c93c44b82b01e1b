# Printing aligned tables with ljust/rjust and format specs.
rows = [("Name", "Qty", "Price"), ("apple", 3, 1.5), ("watermelon", 1, 12.25), ("fig", 12, 0.4)]
widths = [max(len(str(r[i])) for r in rows) for i in range(3)]
for r in rows:
    print(" | ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                     for i, (v, w) in enumerate(zip(r, widths))))
print("-" * (sum(widths) + 6))
for name, qty, price in rows[1:]:
    print(f"{name:<12}{qty:>4}{price:>8.2f}{qty * price:>9.2f}")
