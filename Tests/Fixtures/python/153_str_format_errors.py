# str.format errors: missing indexes, keys and mixing numbering styles.
def attempt(fmt, *a, **k):
    try:
        print(fmt.format(*a, **k))
    except (IndexError, KeyError, ValueError, AttributeError) as e:
        print(type(e).__name__, e)
attempt("{} {}", 1)
attempt("{name}", nom=1)
attempt("{0} {}", 1, 2)
attempt("{:d}", "x")
attempt("{.nope}", 5)
attempt("{:>}", "fine")
