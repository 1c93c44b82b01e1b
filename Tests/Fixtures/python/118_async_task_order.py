# Tasks start in creation order at the next await point.
import asyncio

log = []

async def task(name):
    log.append(name + " start")
    await asyncio.sleep(0)
    log.append(name + " end")

async def main():
    tasks = [asyncio.create_task(task(n)) for n in "xyz"]
    log.append("main before await")
    await asyncio.sleep(0)
    log.append("main after first sleep")
    for t in tasks:
        await t
    print("\n".join(log))

asyncio.run(main())
