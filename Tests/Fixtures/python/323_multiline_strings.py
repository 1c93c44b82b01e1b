# Triple-quoted strings, line continuations and implicit concatenation.
prompt = """Line one
    indented line
Line three with "quotes" and 'single' quotes"""
print(prompt)
print(len(prompt.splitlines()), prompt.count("\n"))
s = '''single triple
quoted'''
print(s)
long_expr = 1 + \
    2 + \
    3
print(long_expr)
message = ("part one, "
           "part two, "
           f"part {long_expr}")
print(message)
print("""\
starts without newline""")
print("a\
b")
