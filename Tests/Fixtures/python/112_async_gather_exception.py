# An exception in one gathered coroutine propagates out of gather.
import asyncio

async def ok(n):
    await asyncio.sleep(0)
    return n

async def fails(msg):
    await asyncio.sleep(0)
    raise ValueError(msg)

async def main():
    try:
        await asyncio.gather(ok(1), fails("boom"), ok(3))
    except ValueError as e:
        print("caught from gather:", e)
    print("main continues")

asyncio.run(main())
