# Nested dicts and lists: access, update, and repr.
config = {
    "server": {"host": "localhost", "ports": [80, 443]},
    "debug": False,
    "users": [{"name": "a", "roles": ["admin"]}, {"name": "b", "roles": []}],
}
print(config["server"]["ports"][1])
config["server"]["ports"].append(8080)
config["users"][1]["roles"].append("viewer")
print(config)
print([u["name"] for u in config["users"] if "admin" in u["roles"]])
print(config.get("missing", {}).get("deep", "fallback"))
