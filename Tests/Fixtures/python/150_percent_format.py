# printf-style % formatting: s r d i f x %, widths and flags.
name, age, score = "Ann", 30, 91.2567
print("%s is %d years old" % (name, age))
print("%r %s" % ("text", "text"))
print("%d %i %f %.3f %.0f" % (42, 42, 3.5, 3.14159, 2.5))
print("[%5d] [%-5d] [%05d] [%+d] [% d]" % (42, 42, 42, 42, 42))
print("[%10s] [%-10s] [%.2s]" % ("hi", "hi", "hello"))
print("%x %X %o %#x %e" % (255, 255, 8, 255, 12345.678))
print("100%% done, %s%%" % 50)
print("%s" % [1, 2], "%s" % (None,), "%s" % "single")
print("%(name)s scored %(score).1f" % {"name": name, "score": score})
print("%c%c" % (72, "i"), "%5.1f%%" % 99.55)
print("%s and %s" % (1.0, 10 ** 20))
