# Errors from % formatting with wrong argument counts and types.
def attempt(fmt, args):
    try:
        print(fmt % args)
    except (TypeError, ValueError, KeyError) as e:
        print(type(e).__name__, e)

attempt("%s %s", ("one",))
attempt("%s", ("a", "b"))
attempt("%d", "x")
attempt("%(k)s", {"other": 1})
attempt("%z", 5)
attempt("%d", 3.9)
attempt("%s", ())
