# Tasks waking from asyncio.sleep in order of their (tiny) delays.
import asyncio

order = []

async def sleeper(name, delay):
    await asyncio.sleep(delay)
    order.append(name)

async def main():
    await asyncio.gather(sleeper("c", 0.03), sleeper("a", 0.01), sleeper("b", 0.02))
    print(order)
    value = await asyncio.sleep(0, result="slept")
    print(value)

asyncio.run(main())
