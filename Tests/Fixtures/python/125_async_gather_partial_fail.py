# With return_exceptions=True every coroutine runs to completion, failures included.
import asyncio

async def process(i):
    print("processing", i)
    await asyncio.sleep(0)
    if i % 2:
        raise ValueError(f"odd item {i}")
    return i

async def main():
    results = await asyncio.gather(*(process(i) for i in range(5)), return_exceptions=True)
    good = [r for r in results if not isinstance(r, BaseException)]
    bad = [str(r) for r in results if isinstance(r, BaseException)]
    print(good)
    print(bad)

asyncio.run(main())
