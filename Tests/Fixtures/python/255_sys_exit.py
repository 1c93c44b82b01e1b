# SystemExit from sys.exit can be caught; its code is the argument; exit(0) ends quietly.
import sys
for arg in [2, "message", None]:
    try:
        sys.exit(arg)
    except SystemExit as e:
        print(type(e).__name__, repr(e.code))
try:
    raise SystemExit(5)
except SystemExit as e:
    print("code", e.code)
print(issubclass(SystemExit, Exception), issubclass(SystemExit, BaseException))
print("exiting")
sys.exit(0)
print("not reached")
