# Awaiting tasks individually after some fail; exception types and messages preserved.
import asyncio

async def job(i):
    await asyncio.sleep(0)
    if i == 1:
        raise KeyError(f"job{i}")
    if i == 2:
        raise ValueError(f"bad job {i}")
    return i

async def main():
    tasks = [asyncio.create_task(job(i)) for i in range(4)]
    for t in tasks:
        try:
            print("result", await t)
        except (KeyError, ValueError) as e:
            print("error", type(e).__name__, e)

asyncio.run(main())
