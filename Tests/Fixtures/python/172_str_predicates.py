# isdigit, isalpha, isalnum, isspace, isupper, islower, isnumeric, isidentifier.
tests = ["123", "abc", "abc123", "   ", "\t\n", "ABC", "abc ", "Abc", "", "12.5", "-1", "ß"]
for t in tests:
    print(repr(t), t.isdigit(), t.isalpha(), t.isalnum(), t.isspace(), t.isupper(),
          t.islower())
print("x_1".isidentifier(), "1x".isidentifier(), "Title Case".istitle())
print("²".isdigit(), "²".isdecimal(), "½".isnumeric())
