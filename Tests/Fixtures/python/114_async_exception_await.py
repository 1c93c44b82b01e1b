# Exceptions raised in awaited coroutines are caught with try/except in the caller.
import asyncio

async def fetch(key):
    data = {"a": 1}
    await asyncio.sleep(0)
    return data[key]

async def main():
    print(await fetch("a"))
    try:
        await fetch("zz")
    except KeyError as e:
        print("missing", e)
    finally:
        print("finally in coroutine")

asyncio.run(main())
