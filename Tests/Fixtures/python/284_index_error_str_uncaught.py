# Indexing past the end of a string is uncaught.
word = "abc"
print(word[2])
print(word[-3])
print(word[3])
