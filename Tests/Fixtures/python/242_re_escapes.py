# Character classes \d \w \s \b \D \W \S, escaping with re.escape.
import re
s = "Item_1: cost $3.50, qty\t7!"
print(re.findall(r"\d", s), re.findall(r"\D+", "ab12cd"))
print(re.findall(r"\w+", s), re.findall(r"\W", "a-b c"))
print(re.findall(r"\s", s), re.findall(r"\S+", "a  b\tc"))
print(re.findall(r"\bcat\b", "cat concat cat's bobcat"))
print(re.findall(r"\$\d+\.\d{2}", s), re.escape("1+1=2?"), re.escape("a.b*c"))
print(re.findall(re.escape("a.b"), "a.b axb"))
print(re.findall(r"[A-Z][a-z]+", "Alice and Bob met Carol"))
print(re.findall(r"colou?r", "color colour colr"), re.findall(r"a{2,3}", "aaaa a aa"))
