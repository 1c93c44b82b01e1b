# sys.maxsize, sys.argv length/type (not contents), recursion limit, stdout write.
import sys
print(sys.maxsize, sys.maxsize == 2 ** 63 - 1, -sys.maxsize - 1)
print(sys.maxsize + 1, type(sys.argv).__name__, len(sys.argv), type(sys.argv[0]).__name__)
print(sys.getrecursionlimit() >= 1000, sys.version_info[0], sys.version_info >= (3, 8))
sys.stdout.write("written directly\n")
n = sys.stdout.write("abc\n")
print(n)
