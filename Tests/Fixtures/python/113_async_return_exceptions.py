# gather(return_exceptions=True) puts exceptions in the results list.
import asyncio

async def ok(n):
    return n * 10

async def bad(n):
    raise KeyError(n)

async def main():
    results = await asyncio.gather(ok(1), bad("k"), ok(3), return_exceptions=True)
    for r in results:
        if isinstance(r, Exception):
            print("error:", type(r).__name__, r)
        else:
            print("value:", r)

asyncio.run(main())
