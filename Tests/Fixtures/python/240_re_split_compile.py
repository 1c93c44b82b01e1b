# re.split with patterns, groups and maxsplit; compiled patterns.
import re
print(re.split(r"\s*,\s*", "a , b,c ,  d"))
print(re.split(r"(\d)", "a1b2c"))
print(re.split(r"\W+", "Words, words; words.", maxsplit=1))
print(re.split(r"[;,]", "x;y,z"), re.split(r"\s+", " lead trail "))
pat = re.compile(r"(?P<key>\w+)=(?P<val>[^;]*)")
print(pat.pattern, [m.groupdict() for m in pat.finditer("a=1;b=two;c=")])
print(pat.match("k=v").group("val"), pat.search("-- x=y").start())
print(pat.sub(r"\g<val>:\g<key>", "a=1;b=2"), pat.findall("p=q;r=s"))
word = re.compile(r"\b\w{4}\b")
print(word.findall("this is some text with four char word"))
