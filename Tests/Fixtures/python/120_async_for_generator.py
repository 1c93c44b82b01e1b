# async generators consumed with async for and async comprehensions.
import asyncio

async def ticker(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i

async def main():
    async for t in ticker(3):
        print("tick", t)
    values = [v * 2 async for v in ticker(4)]
    print(values)

asyncio.run(main())
