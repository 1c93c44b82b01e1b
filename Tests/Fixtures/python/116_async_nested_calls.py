# Coroutines awaiting other coroutines several levels deep.
import asyncio

async def leaf(x):
    await asyncio.sleep(0)
    return x + 1

async def middle(x):
    a = await leaf(x)
    b = await leaf(a)
    return [a, b]

async def top():
    parts = []
    for i in range(3):
        parts.append(await middle(i * 10))
    return parts

print(asyncio.run(top()))
