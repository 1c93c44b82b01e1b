# asyncio.wait_for with a generous timeout returns the result; TimeoutError otherwise.
import asyncio

async def quick():
    await asyncio.sleep(0)
    return "quick result"

async def slow():
    await asyncio.sleep(5)
    return "never"

async def main():
    print(await asyncio.wait_for(quick(), timeout=5))
    try:
        await asyncio.wait_for(slow(), timeout=0.01)
    except asyncio.TimeoutError:
        print("timed out")

asyncio.run(main())
