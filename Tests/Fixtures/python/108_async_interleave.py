# Interleaving of prints around await asyncio.sleep(0) with gather.
import asyncio

async def worker(name, steps):
    for i in range(steps):
        print(name, "step", i)
        await asyncio.sleep(0)
    print(name, "done")
    return steps

async def main():
    print("before gather")
    r = await asyncio.gather(worker("A", 3), worker("B", 2), worker("C", 1))
    print("after gather", r)

asyncio.run(main())
