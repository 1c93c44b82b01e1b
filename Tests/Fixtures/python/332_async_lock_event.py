# asyncio.Lock protects a shared counter; asyncio.Event releases waiters.
import asyncio

async def incr(lock, state, name):
    async with lock:
        v = state["n"]
        await asyncio.sleep(0)
        state["n"] = v + 1

async def waiter(event, name, log):
    await event.wait()
    log.append(name)

async def main():
    lock = asyncio.Lock()
    state = {"n": 0}
    await asyncio.gather(*(incr(lock, state, i) for i in range(5)))
    print("counter", state["n"])
    event = asyncio.Event()
    log = []
    tasks = [asyncio.create_task(waiter(event, n, log)) for n in "abc"]
    await asyncio.sleep(0)
    print("before set", log, event.is_set())
    event.set()
    await asyncio.gather(*tasks)
    print("after set", log)

asyncio.run(main())
