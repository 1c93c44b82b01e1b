# lower, upper, title, capitalize, swapcase, casefold.
s = "hello WORLD, it's a fine-day 2day"
print(s.lower())
print(s.upper())
print(s.title())
print(s.capitalize())
print(s.swapcase())
print("ÉCOLE straße".lower(), "straße".upper())
print("".upper(), "123".title(), "o'neil mcdonald".title())
print("Hello".casefold() == "hELLO".casefold())
