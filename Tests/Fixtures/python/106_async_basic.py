# async def, await and asyncio.run returning a value.
import asyncio

async def add(a, b):
    return a + b

async def main():
    x = await add(1, 2)
    y = await add(x, 10)
    print("x", x, "y", y)
    return y * 2

result = asyncio.run(main())
print("result", result)
coro = add(5, 5)
print(type(coro).__name__)
print(asyncio.run(coro))
