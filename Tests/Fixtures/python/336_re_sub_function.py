# re.sub with functions using groups and groupdict for templating.
import re
template = "Hello {name}, your order {order_id} ships {when}."
values = {"name": "Ann", "order_id": 1042}
def fill(m):
    key = m.group(1)
    return str(values.get(key, "{" + key + "}"))
print(re.sub(r"\{(\w+)\}", fill, template))
print(re.sub(r"(?P<word>\b\w)", lambda m: m.group("word").upper(), "make title case"))
print(re.sub(r"(\d+)", lambda m: f"<{int(m.group(1)):03d}>", "a1 b22 c333"))
camel = "someVariableName"
print(re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel))
print(re.sub(r"_(\w)", lambda m: m.group(1).upper(), "snake_case_name"))
