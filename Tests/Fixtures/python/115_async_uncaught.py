# An exception escaping asyncio.run surfaces as the program's uncaught error.
import asyncio

async def step(n):
    print("step", n)
    if n == 2:
        raise RuntimeError("step 2 failed")
    await asyncio.sleep(0)

async def main():
    for n in range(4):
        await step(n)

asyncio.run(main())
