# Greedy vs non-greedy quantifiers and alternation order.
import re
html = "<b>bold</b> and <i>italic</i>"
print(re.findall(r"<.+>", html))
print(re.findall(r"<.+?>", html))
print(re.findall(r"<(\w+)>(.*?)</\1>", html))
print(re.match(r"a+?", "aaa").group(), re.match(r"a*?b", "aab").group())
print(re.findall(r"cat|category", "category"), re.findall(r"category|cat", "category"))
print(re.sub(r"\s+?", "_", "a  b"), re.match(r"(\w+?)(\d*)$", "abc123").groups())
