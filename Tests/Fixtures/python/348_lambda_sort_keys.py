# Lambdas as sort keys with tuple keys, negation and multiple criteria.
people = [
    {"name": "Ann", "age": 31, "city": "Oslo"},
    {"name": "bob", "age": 25, "city": "Rome"},
    {"name": "Cid", "age": 31, "city": "Bern"},
    {"name": "dee", "age": 19, "city": "Oslo"},
]
print([p["name"] for p in sorted(people, key=lambda p: p["age"])])
print([p["name"] for p in sorted(people, key=lambda p: (-p["age"], p["name"]))])
print([p["name"] for p in sorted(people, key=lambda p: p["name"].lower())])
print([p["name"] for p in sorted(people, key=lambda p: (p["city"], p["age"]), reverse=True)])
oldest = max(people, key=lambda p: (p["age"], p["name"]))
print(oldest["name"], min(people, key=lambda p: len(p["city"]))["city"])
