# Semaphore(1) serialises critical sections; prints show strict alternation.
import asyncio

async def critical(sem, name):
    async with sem:
        print(name, "enter")
        await asyncio.sleep(0)
        print(name, "leave")

async def main():
    sem = asyncio.Semaphore(1)
    await asyncio.gather(critical(sem, "A"), critical(sem, "B"), critical(sem, "C"))
    print("locked now?", sem.locked())

asyncio.run(main())
