# Nested gathers and mixing tasks with plain coroutines.
import asyncio

async def val(x):
    await asyncio.sleep(0)
    return x

async def group(prefix):
    return await asyncio.gather(val(prefix + "1"), val(prefix + "2"))

async def main():
    t = asyncio.create_task(val("task"))
    out = await asyncio.gather(group("a"), group("b"), t, val("plain"))
    print(out)

asyncio.run(main())
