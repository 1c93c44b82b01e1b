# asyncio.gather returns results in argument order regardless of completion order.
import asyncio

async def work(name, delay):
    await asyncio.sleep(delay)
    print("finished", name)
    return name.upper()

async def main():
    results = await asyncio.gather(work("slow", 0.03), work("fast", 0.0), work("mid", 0.01))
    print(results)
    empty = await asyncio.gather()
    print(empty)

asyncio.run(main())
