# gather over a list comprehension of coroutines, collecting results in order.
import asyncio

async def square(n):
    await asyncio.sleep(0)
    return n * n

async def main():
    coros = [square(i) for i in range(8)]
    results = await asyncio.gather(*coros)
    print(results)
    print(sum(results))
    pairs = await asyncio.gather(*(asyncio.sleep(0, result=(i, -i)) for i in range(3)))
    print(pairs)

asyncio.run(main())
