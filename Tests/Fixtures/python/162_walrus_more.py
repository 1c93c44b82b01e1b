# More := usage: reusing computed values in comprehensions and conditions.
import re
text = "order 123 shipped"
if (m := re.search(r"\d+", text)) is not None:
    print("found", m.group())
nums = [4, 9, 15, 2]
print([(n, sq) for n in nums if (sq := n * n) > 20])
total = 0
print([total := total + n for n in nums])
print(total)
def chunks(data, size):
    i = 0
    while (chunk := data[i:i + size]):
        yield chunk
        i += size
print(list(chunks("abcdefg", 3)))
